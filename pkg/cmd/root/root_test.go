package root

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

func TestSummariesMatchTheCommands(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := factory.New(ios)
	tcs := topCommands()
	for _, tc := range tcs {
		c := tc.build(f)
		if c.Name() != tc.name || c.Short != tc.short || !slices.Equal(c.Aliases, tc.aliases) || !c.IsAvailableCommand() {
			t.Errorf("the summary of %q differs from the command: name %q, aliases %q, short %q, available %v",
				tc.name, c.Name(), c.Aliases, c.Short, c.IsAvailableCommand())
		}
	}
	if n := len(NewCmdRoot(f).Commands()); n != len(tcs) {
		t.Errorf("the tree has %d top-level commands, the summaries %d", n, len(tcs))
	}
}

// TestPartialTreeRunsAsTheWholeOne runs command lines that stop before any
// server is needed on the tree Run builds and on the whole tree, and wants
// the same output and exit code.
func TestPartialTreeRunsAsTheWholeOne(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", t.TempDir()+"/config.yaml")
	lines := [][]string{
		{}, {"--help"}, {"-h"}, {"help"}, {"help", "get"}, {"help", "nosuch"},
		{"get", "--help"}, {"create", "webhook", "--help"}, {"delivery", "--help"}, {"subs", "-h"},
		{"deliveries"}, {"gett"}, {"--bogus"}, {"--token", "t", "config", "--help"},
		{"config", "get"}, {"config", "get", "output", "--org", "o"}, {"completion", "fish"},
		{"__complete", "de"}, {"__complete", "deliveries", "l"}, {"__complete", "get", "--o"},
	}
	run := func(args []string, partial bool) string {
		ios, _, out, errOut := iostreams.Test()
		f := factory.New(ios)
		cmd := NewCmdRoot(f)
		if partial {
			cmd = newRoot(f)
			addCommandsFor(cmd, f, args)
		}
		code := execute(context.Background(), f, cmd, args)
		return strings.Join([]string{out.String(), errOut.String(), string(rune('0' + code))}, "\n--\n")
	}
	for _, args := range lines {
		if whole, partial := run(args, false), run(args, true); partial != whole {
			t.Errorf("central %s:\nthe partial tree gives\n%s\nthe whole tree\n%s", strings.Join(args, " "), partial, whole)
		}
	}
}

func TestRunBuildsOnlyTheCommandItRuns(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := factory.New(ios)
	for _, tt := range []struct {
		args  []string
		built string
	}{{[]string{"--help"}, ""}, {nil, ""}, {[]string{"--org", "o", "delivery", "list"}, "deliveries"}} {
		cmd := newRoot(f)
		addCommandsFor(cmd, f, tt.args)
		for _, c := range cmd.Commands() {
			built := c.HasSubCommands() || c.LocalFlags().HasFlags()
			if built != (c.Name() == tt.built) {
				t.Errorf("central %s: %s built = %v", strings.Join(tt.args, " "), c.Name(), built)
			}
		}
	}
}
