package resource

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/loader"
)

// A top-level key that is neither a field nor a subresource (a typo) is
// found before anything is sent: otherwise the resource would be written
// without it and the key then refused as a subresource, every run.
func TestUnknownTopLevelKeyWritesNothing(t *testing.T) {
	for _, mode := range []Mode{Apply, Create} {
		t.Run(mode.verb(), func(t *testing.T) {
			f := cmdtest.NewAPI(t)
			file := writeTemp(t, "x.yaml", `kind: Environment
name: n1
stages: [dev]
x-agent-details: {sha: abc}
---
kind: Environment
name: n2
sepc:
  description: typo
---
kind: APIService
name: s
metadata: {scope: {kind: Environment, name: n1}}
detials: {}
foo: 1
`)
			r := newWriteRun(t, f, mode, file)
			err := r.run(t)
			if !errors.As(err, new(*clierr.Reported)) {
				t.Fatalf("err = %v, want it Reported", err)
			}
			assertLines(t, r.se.String(),
				`✖ Nothing was done: the file has 2 bad entries.`,
				`  - `+file+`: Entry 2, "Environment/n2": Unknown top-level key "sepc" (did you mean "spec"?): neither a field nor a sub-resource of Environment.`,
				`    Valid keys are (case sensitive): group, apiVersion, kind, name, title, metadata, attributes, tags, finalizers, owner, spec; sub-resources: policies, stages and any x-* name.`,
				`  - `+file+`: Entry 3, "APIService/s": Unknown top-level keys "detials" (did you mean "details"?), "foo": neither fields nor sub-resources of APIService.`,
				`    Valid keys are (case sensitive): group, apiVersion, kind, name, title, metadata, attributes, tags, finalizers, owner, spec; sub-resources: details and any x-* name.`)
			assertCalls(t, f)
		})
	}
}

func TestCheckTopLevelKeys(t *testing.T) {
	def := discovery.Definition{Kind: "APIService", SubResources: []string{"status", "details"}}
	for _, ok := range [][]string{nil, {"spec", "metadata", "status", "details", "x-agent-details", "x-a"}} {
		if err := CheckTopLevelKeys(def, ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"x-", "Spec", "statuses", "_links"} {
		if err := CheckTopLevelKeys(def, []string{"spec", bad}); err == nil || !strings.Contains(err.Error(), `"`+bad+`"`) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	// Every field of a resource is a valid key, and none is a subresource.
	if len(Fields()) < 10 || !slices.Contains(Fields(), "spec") || slices.ContainsFunc(Fields(), api.IsSubResourceKey) {
		t.Errorf("Fields() = %q", Fields())
	}
}

// An input without resources, such as the empty list "central get -o yaml"
// prints when nothing matched (nothing at all, under -o yaml), is a no-op: a
// warning, no request, no error, and under -o the empty list, as for a run
// that wrote nothing.
func TestEmptyInputIsANoOp(t *testing.T) {
	for _, tc := range []struct{ name, input, output, wantOut string }{
		{"nothing", "", "", ""},
		{"blank", " \n\n", "json", "[]\n"},
		// YAML prints a list as a stream of documents: none, for no resources.
		{"only separators", "---\n---\n", "yaml", ""},
		{"JSON list", "[]\n", "json", "[]\n"},
		{"YAML list", "[]\n", "yaml", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := cmdtest.NewAPI(t)
			r := newWriteRun(t, f, Apply, loader.Stdin)
			r.opts.Output = tc.output
			r.in.WriteString(tc.input)
			if err := r.run(t); err != nil {
				t.Fatal(err)
			}
			assertLines(t, r.se.String(), `⚠ stdin: no resources in it; nothing to apply.`)
			if r.out.String() != tc.wantOut {
				t.Errorf("stdout = %q, want %q", r.out, tc.wantOut)
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("%d requests", n)
			}
		})
	}
	t.Run("file", func(t *testing.T) {
		f := cmdtest.NewAPI(t)
		file := writeTemp(t, "x.yaml", "---\n")
		r := newWriteRun(t, f, Create, file)
		if err := r.run(t); err != nil {
			t.Fatal(err)
		}
		assertLines(t, r.se.String(), `⚠ `+file+`: no resources in it; nothing to create.`)
	})
	t.Run("bad --scope", func(t *testing.T) {
		r := newWriteRun(t, cmdtest.NewAPI(t), Apply, loader.Stdin)
		r.opts.Scope = "Integration/"
		if err := r.run(t); !errors.As(err, new(*clierr.FlagError)) {
			t.Errorf("err = %v, want the flag's error", err)
		}
	})
}

// Under -o the list of what was written is the document on stdout, also
// when the server goes away halfway: the error is then told on stderr
// only, so that stdout does not get an error document after the list.
func TestWriteWithOutputWhenTheServerIsGone(t *testing.T) {
	f := cmdtest.NewAPI(t)
	r := newWriteRun(t, f, Create, writeTemp(t, "x.yaml", "kind: Environment\nname: a\n"))
	r.opts.Output = "json"
	r.opts.Client = func() (*client.Client, error) { return client.New(cmdtest.UnreachableURL, client.Options{}), nil }
	err := r.run(t)
	if !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	if r.out.String() != "[]\n" {
		t.Errorf("stdout = %q, want the empty list", r.out)
	}
	if got := r.se.String(); !strings.HasPrefix(got, "✖ Error: ") || !strings.Contains(got, "127.0.0.1:1") {
		t.Errorf("stderr = %q, want the connection error", got)
	}
}
