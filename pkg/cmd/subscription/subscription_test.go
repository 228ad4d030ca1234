package subscription

import (
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

func TestTree(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdSubscription(&factory.Factory{IOStreams: ios})
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
	}
	if strings.Join(names, ",") != "approve,reject,set-state" {
		t.Errorf("subcommands %v", names)
	}
	if !strings.Contains(cmd.Long, "Exit codes:") || !strings.Contains(cmd.Example, "  # ") {
		t.Errorf("help text: %q %q", cmd.Long, cmd.Example)
	}
}
