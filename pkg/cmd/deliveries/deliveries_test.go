package deliveries

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

var deliveryID = regexp.MustCompile(`^dlv_[0-9a-f]{32}$`)

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
		// 12 hex digits of milliseconds and 20 random ones.
		for _, word := range strings.Fields(c.Example) {
			if (strings.HasPrefix(word, "dlv_") || strings.Count(word, "-") == 4) && !deliveryID.MatchString(word) {
				t.Errorf("%s: Example uses %q, not a delivery ID as the server makes them", c.CommandPath(), word)
			}
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
