package webhook

import (
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

func TestHelpText(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	c := NewCmdCreateWebhook(&factory.Factory{IOStreams: ios}, nil)
	if c.Name() != "webhook" || !strings.Contains(c.Long, "Exit codes:") || !strings.Contains(c.Example, "  # ") {
		t.Errorf("name %q, Long %q, Example %q", c.Name(), c.Long, c.Example)
	}
}
