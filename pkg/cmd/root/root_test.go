package root

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/config"
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
		{"deliveries", "lst"}, {"hooks", "tst", "x"},
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

// run runs one command line as Main does, in an environment holding none of
// the base URL's variables, and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	ios, _, o, e := iostreams.Test()
	code = Run(context.Background(), factory.New(ios), args)
	return code, o.String(), e.String()
}

// TestBaseURLPrecedence: --base-url or --baseUrl, CENTRAL_BASE_URL,
// AXWAY_CENTRAL_BASE_URL, the config file, the default.
// A word that names no command under a group of commands is an error, as
// at the top: a script's misspelt `central deliveries purg` must not exit 0
// with the group's help. The group alone still prints its help.
func TestGroupsRefuseUnknownCommands(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", t.TempDir()+"/config.yaml")
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"deliveries", "lst"}, 1, "✖ Error: unknown command \"lst\" for \"central deliveries\"\n\nDid you mean this?\n\tget\n\tlist\n"},
		{[]string{"hooks", "tst", "x"}, 1, "✖ Error: unknown command \"tst\" for \"central hooks\"\n\nDid you mean this?\n\ttest\n"},
		{[]string{"config", "bogus"}, 1, "✖ Error: unknown command \"bogus\" for \"central config\"\n"},
		{[]string{"subscription", "bogus"}, 1, "✖ Error: unknown command \"bogus\" for \"central subscription\"\n"},
		{[]string{"store", "bogus"}, 1, "✖ Error: unknown command \"bogus\" for \"central store\"\n"},
		{[]string{"deliveries"}, 0, ""},
	} {
		ios, _, out, errOut := iostreams.Test()
		f := factory.New(ios)
		code := execute(context.Background(), f, NewCmdRoot(f), tt.args)
		if code != tt.code || errOut.String() != tt.stderr || (code == 0) != strings.Contains(out.String(), "Usage:") {
			t.Errorf("central %s: exit %d, stderr %q, stdout %d bytes; want exit %d, stderr %q",
				strings.Join(tt.args, " "), code, errOut.String(), out.Len(), tt.code, tt.stderr)
		}
	}
}

func TestBaseURLPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("CENTRAL_CONFIG", path)
	t.Setenv("CENTRAL_BASE_URL", "")
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "")
	get := []string{"config", "get", "base-url"}
	for _, tt := range []struct {
		setup func()
		flags []string
		want  string
	}{
		{func() {}, nil, config.DefaultBaseURL},
		{func() {
			if err := os.WriteFile(path, []byte("base-url: http://file.invalid:1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, nil, "http://file.invalid:1"},
		{func() { t.Setenv("AXWAY_CENTRAL_BASE_URL", "http://axway.invalid:2") }, nil, "http://axway.invalid:2"},
		{func() { t.Setenv("CENTRAL_BASE_URL", "http://env.invalid:3") }, nil, "http://env.invalid:3"},
		{func() {}, []string{"--baseUrl", "http://amplify-flag.invalid:4"}, "http://amplify-flag.invalid:4"},
		{func() {}, []string{"--base-url=http://flag.invalid:5"}, "http://flag.invalid:5"},
		{func() {}, []string{"--baseUrl=http://flag.invalid:6", "--base-url", "http://flag.invalid:6"}, "http://flag.invalid:6"},
	} {
		tt.setup()
		args := append(slices.Clone(get), tt.flags...)
		code, out, errOut := run(t, args...)
		if code != ExitOK || out != tt.want+"\n" {
			t.Errorf("central %s: exit %d, output %q, errors %q; want %q", strings.Join(args, " "), code, out, errOut, tt.want)
		}
	}
}

func TestBaseURLFlagsThatDiffer(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	const want = "Error: --base-url \"http://a.invalid:1\" and --baseUrl \"http://b.invalid:2\" differ: give one of them\nRun with --help for usage.\n"
	// a command that never reads the config is refused too
	for _, cmd := range [][]string{{"config", "get", "base-url"}, {"version"}} {
		args := append([]string{"--base-url", "http://a.invalid:1"}, cmd...)
		args = append(args, "--baseUrl", "http://b.invalid:2")
		code, out, errOut := run(t, args...)
		if code != ExitError || out != "" || !strings.HasSuffix(errOut, want) {
			t.Errorf("central %s: exit %d, output %q, errors %q; want %q", strings.Join(args, " "), code, out, errOut, want)
		}
	}
}

func TestBaseURLAmplifyFlagIsHidden(t *testing.T) {
	_, out, _ := run(t, "--help")
	if !strings.Contains(out, "--base-url") || strings.Contains(out, "baseUrl") {
		t.Errorf("central --help should list --base-url and not --baseUrl:\n%s", out)
	}
}

// TestErrorsUnderOutputAreDocuments: with -o json|yaml the error is also
// printed on stdout as a document, as the Amplify CLI does, so that a
// script reading the output can tell what failed.
func TestErrorsUnderOutputAreDocuments(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("CENTRAL_OUTPUT", "")
	fake := cmdtest.NewAPI(t)
	base := []string{"--base-url", fake.URL, "--token", "t"}
	for _, tt := range []struct {
		args []string
		out  string
	}{
		{[]string{"get", "env", "nosuch", "-o", "json"},
			`{
    "errors": [
        {
            "status": 404,
            "title": "Not found error",
            "detail": "Resource nosuch of kind Environment not found.",
            "meta": {}
        }
    ]
}
`},
		{[]string{"get", "env", "nosuch", "-o", "yaml"}, "errors:\n  - status: 404\n    title: Not found error\n    detail: Resource nosuch of kind Environment not found.\n    meta: {}\n"},
		{[]string{"get", "gadgets", "-o", "json"}, `{
    "name": "Error",
    "message": "the server doesn't have a resource type \"gadgets\"\n\"central get\" lists them."
}
`},
		{[]string{"get", "env", "nosuch"}, ""},
		{[]string{"get", "env", "nosuch", "-o", "table"}, ""},
	} {
		code, out, errOut := run(t, append(slices.Clone(base), tt.args...)...)
		if code != ExitError || out != tt.out || !strings.HasPrefix(errOut, "✖ Error: ") {
			t.Errorf("central %s: exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %q", strings.Join(tt.args, " "), code, out, tt.out, errOut)
		}
	}
}

// TestErrorDocumentFollowsTheCommandsOutput: the document comes in the
// format the command itself used: the configured output for the commands
// that read it (get), only -o for those that write resources.
func TestErrorDocumentFollowsTheCommandsOutput(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("CENTRAL_OUTPUT", "json")
	fake := cmdtest.NewAPI(t)
	fake.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	base := []string{"--base-url", fake.URL, "--token", "t"}
	for _, tt := range []struct {
		args []string
		doc  bool
	}{
		{[]string{"get", "env", "nosuch"}, true},
		{[]string{"create", "environment", "prod"}, false},
		{[]string{"create", "environment", "prod", "-o", "yaml"}, true}, // reported on stderr by the command, still a document
	} {
		code, out, errOut := run(t, append(slices.Clone(base), tt.args...)...)
		if code != ExitError || (out != "") != tt.doc || !strings.HasPrefix(errOut, "✖ ") {
			t.Errorf("central %s: exit %d, stdout %q, stderr %q; want a document: %v", strings.Join(tt.args, " "), code, out, errOut, tt.doc)
		}
	}
}

// TestConfigSetByFlags: "central config set --baseUrl=URL", the Amplify
// CLI's form, saves the flags that name keys; a bad value saves nothing.
func TestConfigSetByFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("CENTRAL_CONFIG", path)
	for _, args := range [][]string{
		{"config", "set", "--baseUrl=http://amplify.invalid:1", "--org", "o1"},
		{"--base-url", "http://amplify.invalid:1", "config", "set", "--org=o1"},
	} {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if code, out, errOut := run(t, args...); code != ExitOK || out != "" || errOut != "" {
			t.Errorf("central %s: exit %d, output %q, errors %q", strings.Join(args, " "), code, out, errOut)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != "base-url: http://amplify.invalid:1\norg: o1\n" {
			t.Errorf("central %s: file %q, %v", strings.Join(args, " "), b, err)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"config", "set", "--base-url", "central.example", "--org", "o2"}, `base-url must be a URL like http://127.0.0.1:8080; got "central.example"`},
		{[]string{"config", "set"}, "set takes KEY VALUE, or the flags of the keys to set, as in: central config set --base-url URL"},
		{[]string{"config", "set", "--no-cache"}, "set takes KEY VALUE, or the flags"},
		{[]string{"config", "set", "token"}, "set takes 2 argument(s): set KEY VALUE"},
	} {
		code, _, errOut := run(t, tt.args...)
		if code != ExitError || !strings.Contains(errOut, tt.want) {
			t.Errorf("central %s: exit %d, errors %q; want %q", strings.Join(tt.args, " "), code, errOut, tt.want)
		}
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "base-url: http://amplify.invalid:1\norg: o1\n" {
		t.Errorf("after refused sets: file %q, %v", b, err)
	}
}
