package deliveries

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

var (
	deliveryID = regexp.MustCompile(`^dlv_[0-9a-f]{32}$`)
	eventID    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// TestHelpTexts checks that every command documents itself: a Long text
// with its exit codes and an Example with # comments.
func TestHelpTexts(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewCmdDeliveries(&factory.Factory{IOStreams: ios})
	var names []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		names = append(names, c.Name())
		if !strings.Contains(c.Long, "Exit codes:") {
			t.Errorf("%s: Long has no exit codes", c.CommandPath())
		}
		if !strings.Contains(c.Example, "  # ") {
			t.Errorf("%s: Example has no # comment", c.CommandPath())
		}
		// Delivery IDs in examples look like the dispatcher's: "dlv_",
		// 12 hex digits of milliseconds and 20 random ones; event IDs
		// (after --event-id) like the API server's, version 7 UUIDs.
		prev := ""
		for _, word := range strings.Fields(c.Example) {
			switch {
			case prev == "--event-id":
				if !eventID.MatchString(word) {
					t.Errorf("%s: Example uses %q, not an event ID as the server makes them", c.CommandPath(), word)
				}
			case (strings.HasPrefix(word, "dlv_") || strings.Count(word, "-") == 4) && !deliveryID.MatchString(word):
				t.Errorf("%s: Example uses %q, not a delivery ID as the server makes them", c.CommandPath(), word)
			}
			prev = word
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if got := strings.Join(names, " "); got != "deliveries get list purge retry" {
		t.Errorf("commands = %s", got)
	}
}
