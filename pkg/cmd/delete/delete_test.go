package delete

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

// deleteTest is one delete command line against a fake server.
type deleteTest struct {
	f           *cmdtest.API
	fac         *factory.Factory
	ios         *iostreams.IOStreams
	in, errOut  *bytes.Buffer
	waitTimeout time.Duration
}

func newDeleteTest(t *testing.T) *deleteTest {
	t.Helper()
	f := cmdtest.NewAPI(t)
	fac, in, _, errOut := cmdtest.NewFactory(f)
	fac.Now = time.Now // a real clock, should --wait ever read it: a fixed one never times out
	return &deleteTest{f: f, fac: fac, ios: fac.IOStreams, in: in, errOut: errOut, waitTimeout: time.Second}
}

// run executes "central delete args..." with a short --wait.
func (d *deleteTest) run(args ...string) error {
	d.errOut.Reset()
	cmd := NewCmdDelete(d.fac, func(o *DeleteOptions) error {
		o.WaitTimeout, o.PollInterval = d.waitTimeout, 10*time.Millisecond
		return deleteRun(context.Background(), o)
	})
	return cmdtest.Execute(cmd, args...)
}

// seedProd stores Environment prod holding APIService petstore.
func (d *deleteTest) seedProd() {
	d.f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	d.f.Seed(&api.ResourceInstance{Kind: "APIService", Name: "petstore", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}})
}

func (d *deleteTest) wantStderr(t *testing.T, want ...string) {
	t.Helper()
	if got, w := d.errOut.String(), strings.Join(want, "\n")+"\n"; got != w {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, w)
	}
}

func (d *deleteTest) wantCalls(t *testing.T, want ...string) {
	t.Helper()
	if got := d.f.Calls(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func wantError(t *testing.T, err error, msg string) {
	t.Helper()
	if err == nil || err.Error() != msg {
		t.Fatalf("err = %v, want %q", err, msg)
	}
}

func TestArgumentErrors(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	for _, tc := range []struct {
		args []string
		flag bool
		want string
	}{
		{[]string{"env", "prod", "-f", "x.yaml"}, true, "Invalid command arguments, please provide a file path or resource type and name."},
		{[]string{"env"}, true, "resource name is required."},
		{[]string{"a", "b", "c"}, true, "too many arguments: delete takes TYPE and NAME, got 3 arguments."},
		{[]string{"apis", "petstore"}, false, `scope name param (-s/--scope) is required for the scoped "APIService" resource.`},
		{[]string{"env", "prod", "-s", "prod"}, false, "can't find matching resource definitions: Environment has no scope, leave out -s/--scope."},
		{[]string{"env", "..", "-y"}, false, `Invalid name "..": a name must consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric character, and be fewer than 100 characters long.`},
		{[]string{"apis", "petstore", "-s", "Environment/..", "-y"}, true, `-s/--scope: Invalid name "..": a name must consist of lower case alphanumeric characters, '-' or '.', start and end with an alphanumeric character, and be fewer than 100 characters long.`},
		{[]string{"gadgets", "x"}, false, "the server doesn't have a resource type \"gadgets\"\n\"central get\" lists them."},
		{[]string{"enviroments", "x"}, false, "the server doesn't have a resource type \"enviroments\"\nDid you mean \"environments\"? \"central get\" lists them."},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := d.run(tc.args...)
			wantError(t, err, tc.want)
			var fe *clierr.FlagError
			if errors.As(err, &fe) != tc.flag {
				t.Errorf("FlagError = %v, want %v", !tc.flag, tc.flag)
			}
		})
	}
	d.wantCalls(t) // nothing was deleted, or even read
}

func TestNoArgumentsListsTheKinds(t *testing.T) {
	d := newDeleteTest(t)
	if err := d.run(); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	got := d.errOut.String()
	const head = "✖ Error: You must specify the type and name of the resource to delete or a file path.\n\nThe server supports the following resources:\n\nRESOURCE"
	if !strings.HasPrefix(got, head) || !strings.Contains(got, "apiservices") || !strings.Contains(got, "Environment") {
		t.Errorf("stderr:\n%s", got)
	}
}

func TestDeleteMessages(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	d.f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "newenv"})

	if err := d.run("apis", "petstore", "-s", "prod"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `✔ "APIService/petstore" in the scope "Environment/prod" has successfully been deleted.`)

	if err := d.run("environment", "newenv", "-y"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `✔ "Environment/newenv" has successfully been deleted.`)
	d.wantCalls(t,
		"DELETE /apis/management/v1/environments/prod/apiservices/petstore",
		"DELETE /apis/management/v1/environments/newenv")

	err := d.run("apis", "petstore", "-s", "Environment/prod")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Detail() != "Resource petstore of kind APIService not found in scope Environment/prod." {
		t.Errorf("err = %v, want the server's 404", err)
	}
}

func TestDeleteHeldByFinalizers(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	d.f.Seed(&api.ResourceInstance{Kind: "APIService", Name: "held", Finalizers: []api.Finalizer{{Name: "agent.cleanup"}},
		Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}})
	if err := d.run("apis", "held", "-s", "prod"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `✔ "APIService/held" in the scope "Environment/prod" has successfully been deleted.`,
		`⚠ "APIService/held" in the scope "Environment/prod" is only marked for deletion (DELETING): finalizers hold it until they are removed (--forceDelete ignores them).`)
	if !d.f.Has("environments/prod/apiservices/held") {
		t.Error("the held resource is gone")
	}

	// --forceDelete asks; -y answers.
	wantError(t, d.run("apis", "held", "-s", "prod", "--forceDelete"),
		`--forceDelete ignores the finalizers of "APIService/held" in the scope "Environment/prod" and of everything in its scope: add -y to confirm (there is no terminal to ask on)`)
	if err := d.run("apis", "held", "-s", "prod", "--forceDelete", "-y"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `✔ "APIService/held" in the scope "Environment/prod" has successfully been deleted.`)
	calls := d.f.Calls()
	if last := calls[len(calls)-1]; last != "DELETE /apis/management/v1/environments/prod/apiservices/held?forceDelete=true" {
		t.Errorf("last request = %s", last)
	}
}

func TestDeleteScopeNeedsConfirmation(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	wantError(t, d.run("env", "prod"),
		`deleting "Environment/prod" also deletes everything in its scope: add -y to confirm (there is no terminal to ask on)`)
	d.wantCalls(t)

	const question = "? Deleting this will delete all resources under its scope. Are you sure you want to do this? (y/N) "
	d.ios.SetTTY(true)
	for _, answer := range []string{"n\n", "\n", ""} {
		d.in.Reset()
		d.in.WriteString(answer)
		if err := d.run("env", "prod"); !errors.Is(err, clierr.ErrCancelled) {
			t.Errorf("answer %q: err = %v, want ErrCancelled", answer, err)
		}
		if got := d.errOut.String(); got != question {
			t.Errorf("answer %q: stderr = %q", answer, got)
		}
	}
	d.wantCalls(t)

	d.in.Reset()
	d.in.WriteString("y\n")
	if err := d.run("env", "prod"); err != nil {
		t.Fatal(err)
	}
	if got, want := d.errOut.String(), question+"✔ \"Environment/prod\" has successfully been deleted.\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if d.f.Has("environments/prod/apiservices/petstore") {
		t.Error("the scope's resources survived")
	}
}

func TestWait(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	scope := api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}
	d.f.Seed(&api.ResourceInstance{Kind: "APIService", Name: "slow", Finalizers: []api.Finalizer{{Name: "agent.cleanup"}}, Metadata: scope})
	d.f.ReleaseAfter("environments/prod/apiservices/slow", 3)

	if err := d.run("apis", "slow", "-s", "prod", "--wait"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t,
		`⚠ "APIService/slow" in the scope "Environment/prod" is only marked for deletion (DELETING): finalizers hold it until they are removed (--forceDelete ignores them).`,
		`✔ "APIService/slow" in the scope "Environment/prod" has successfully been deleted.`)
	d.wantCalls(t,
		"DELETE /apis/management/v1/environments/prod/apiservices/slow",
		"GET /apis/management/v1/environments/prod/apiservices/slow",
		"GET /apis/management/v1/environments/prod/apiservices/slow",
		"GET /apis/management/v1/environments/prod/apiservices/slow")

	d.f.Seed(&api.ResourceInstance{Kind: "APIService", Name: "stuck", Finalizers: []api.Finalizer{{Name: "agent.cleanup"}}, Metadata: scope})
	d.waitTimeout = 100 * time.Millisecond
	start := time.Now()
	err := d.run("apis", "stuck", "-s", "prod", "--wait")
	wantError(t, err, "resource has not been deleted yet.")
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("--wait took %v with a 100ms timeout", elapsed)
	}

	// A plain 204 is gone at the first look.
	d.f.ClearRequests()
	if err := d.run("apis", "petstore", "-s", "prod", "--wait"); err != nil {
		t.Fatal(err)
	}
	d.wantCalls(t,
		"DELETE /apis/management/v1/environments/prod/apiservices/petstore",
		"GET /apis/management/v1/environments/prod/apiservices/petstore")
}

func TestScopeNameInSeveralScopeKinds(t *testing.T) {
	d := newDeleteTest(t)
	d.f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "ops"})
	d.f.Seed(&api.ResourceInstance{Kind: "Integration", Name: "ops"})
	d.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "hook", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Integration", Name: "ops"}}})

	// Only one holds it: deleted without asking.
	if err := d.run("webhook", "hook", "-s", "ops"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `✔ "Webhook/hook" in the scope "Integration/ops" has successfully been deleted.`)

	d.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "hook", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Integration", Name: "ops"}}})
	d.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "hook", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "ops"}}})
	wantError(t, d.run("wh", "hook", "-s", "ops"),
		`"Webhook/hook" exists in more than one scope named "ops": add -y to delete all of them, or choose one with -s KIND/NAME (there is no terminal to ask on)`)
	if err := d.run("wh", "hook", "-s", "ops", "-y"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t,
		`✔ "Webhook/hook" in the scope "Environment/ops" has successfully been deleted.`,
		`✔ "Webhook/hook" in the scope "Integration/ops" has successfully been deleted.`)

	// Neither holds it: the first "not found".
	err := d.run("wh", "hook", "-s", "ops")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("err = %v, want a 404", err)
	}
}

func TestDeleteFileInReverseOrder(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	d.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "hook", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}})
	good := `kind: Environment
name: prod
---
kind: APIService
name: petstore
metadata: {scope: {kind: Environment, name: prod}}
---
kind: APIService
name: ghost
metadata: {scope: {kind: Environment, name: prod}}
---
kind: Webhook
name: hook
metadata: {scope: {kind: Environment, name: prod}}
`
	// A file with bad entries deletes nothing, and says what is wrong.
	file := filepath.Join(t.TempDir(), "prod.yaml")
	if err := os.WriteFile(file, []byte(good+`---
kind: Gadget
name: g
---
kind: Webhook
metadata: {scope: {kind: Environment, name: prod}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.run("-f", file, "-y"); !errors.As(err, new(*clierr.Reported)) {
		t.Fatalf("err = %v, want it Reported", err)
	}
	d.wantStderr(t,
		`✖ Nothing was done: the file has 2 bad entries.`,
		`  - `+file+`: Entry 5, "Gadget/g": Kind "Gadget" is unsupported.`,
		`    Currently supported values are (case sensitive): APIService, Environment, Integration, Webhook`,
		`  - `+file+`: Entry 6, "Webhook/Unknown name": The "name" field is missing: only a named resource can be deleted.`)
	d.wantCalls(t)

	if err := os.WriteFile(file, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	wantError(t, d.run("-f", file), `deleting "Environment/prod" also deletes everything in its scope: add -y to confirm (there is no terminal to ask on)`)
	d.wantCalls(t)

	if err := d.run("-f", file, "-y"); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	d.wantStderr(t,
		`✔ "Webhook/hook" in the scope "Environment/prod" has successfully been deleted.`,
		`✖ "APIService/ghost" Not found error: Resource ghost of kind APIService not found in scope Environment/prod.`,
		`✔ "APIService/petstore" in the scope "Environment/prod" has successfully been deleted.`,
		`✔ "Environment/prod" has successfully been deleted.`)
	d.wantCalls(t,
		"DELETE /apis/management/v1/environments/prod/webhooks/hook",
		"DELETE /apis/management/v1/environments/prod/apiservices/ghost",
		"DELETE /apis/management/v1/environments/prod/apiservices/petstore",
		"DELETE /apis/management/v1/environments/prod")
}

// -s places the entries of a file that name no scope, as apply -f does, so
// what "apply -f hooks.yaml -s Integration/monitor" made, the same command
// with delete removes; an entry with a scope of its own keeps it.
func TestDeleteFileScopeForEntriesWithout(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	d.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "hook", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Integration", Name: "monitor"}}})
	d.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "hook", Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}})
	file := filepath.Join(t.TempDir(), "hooks.yaml")
	if err := os.WriteFile(file, []byte(`kind: Webhook
name: hook
---
kind: Webhook
name: hook
metadata: {scope: {kind: Environment, name: prod}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	wantError(t, d.run("-f", file, "-s", "monitor", "-y"), `--scope for files takes KIND/NAME, e.g. Environment/prod; got "monitor"`)
	d.wantCalls(t)

	if err := d.run("-f", file, "-s", "Integration/monitor", "-y"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t,
		`✔ "Webhook/hook" in the scope "Environment/prod" has successfully been deleted.`,
		`✔ "Webhook/hook" in the scope "Integration/monitor" has successfully been deleted.`)
	d.wantCalls(t,
		"DELETE /apis/management/v1/environments/prod/webhooks/hook",
		"DELETE /apis/management/v1/integrations/monitor/webhooks/hook")
}

// An input without resources, such as the empty list "central get -o yaml"
// gives, deletes nothing and is no error.
func TestDeleteEmptyFileIsANoOp(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	for _, input := range []string{"", "---\n", "[]"} {
		d.in.WriteString(input)
		if err := d.run("-f", "-", "-y"); err != nil {
			t.Fatalf("%q: %v", input, err)
		}
		d.wantStderr(t, `⚠ stdin: no resources in it; nothing to delete.`)
		d.wantCalls(t)
	}
}

// TestIgnoreNotFound: with --ignore-not-found a resource already gone is a
// warning and exit 0, by name and in a file; without it, still an error.
func TestIgnoreNotFound(t *testing.T) {
	d := newDeleteTest(t)
	d.seedProd()
	if err := d.run("apis", "ghost", "-s", "Environment/prod", "--ignore-not-found"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `⚠ "APIService/ghost" in the scope "Environment/prod" was not found: nothing to delete.`)
	// A scope name alone is looked up in each scope kind first.
	if err := d.run("webhooks", "ghost", "-s", "prod", "--ignore-not-found"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t, `⚠ "Webhook/ghost" in the scope "prod" was not found: nothing to delete.`)

	file := filepath.Join(t.TempDir(), "prod.yaml")
	if err := os.WriteFile(file, []byte(`kind: APIService
name: petstore
metadata: {scope: {kind: Environment, name: prod}}
---
kind: APIService
name: ghost
metadata: {scope: {kind: Environment, name: prod}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.run("-f", file, "--ignore-not-found"); err != nil {
		t.Fatal(err)
	}
	d.wantStderr(t,
		`⚠ "APIService/ghost" in the scope "Environment/prod" was not found: nothing to delete.`,
		`✔ "APIService/petstore" in the scope "Environment/prod" has successfully been deleted.`)
	if err := d.run("-f", file); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("without --ignore-not-found: err = %v, want ErrSilent (exit 1)", err)
	}
}
