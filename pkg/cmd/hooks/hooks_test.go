package hooks

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

// TestHelpTexts checks that every command documents itself: a Long text
// with its exit codes and an Example with # comments.
func TestHelpTexts(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewCmdHooks(&factory.Factory{IOStreams: ios})
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
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if got := strings.Join(names, " "); got != "hooks events listen rotate-secret test" {
		t.Errorf("commands = %s", got)
	}
}
