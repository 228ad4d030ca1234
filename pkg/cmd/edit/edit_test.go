package edit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
	"github.com/centralhq/central/pkg/cmd/factory"
)

// editTest is one edit command line against a fake server, with an editor
// that is a shell script.
type editTest struct {
	f           *cmdtest.API
	fac         *factory.Factory
	out, errOut *bytes.Buffer
	editor      string
}

func newEditTest(t *testing.T) *editTest {
	t.Helper()
	f := cmdtest.NewAPI(t)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod", Title: "Production"})
	f.Seed(&api.ResourceInstance{Kind: "APIService", Name: "petstore", Title: "Pet Store",
		Metadata:     api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}},
		SubResources: map[string]json.RawMessage{"details": json.RawMessage(`{"owner":"alice"}`)}})
	return &editTest{f: f, fac: fac, out: out, errOut: errOut}
}

// script makes the editor a shell script of body, which gets the file's
// path as $1.
func (e *editTest) script(t *testing.T, body string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "editor")
	if err := os.WriteFile(path, []byte("#!/bin/sh\nset -e\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.editor = path
}

func (e *editTest) run(args ...string) error {
	e.out.Reset()
	e.errOut.Reset()
	e.f.ClearRequests()
	cmd := NewCmdEdit(e.fac, func(o *EditOptions) error {
		o.Editor = e.editor
		return editRun(context.Background(), o)
	})
	return cmdtest.Execute(cmd, args...)
}

func (e *editTest) wantCalls(t *testing.T, want ...string) {
	t.Helper()
	if got := e.f.Calls(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// keptCopy returns the file whose path stderr names as the copy kept, and
// removes it.
func (e *editTest) keptCopy(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`A copy of your changes has been stored to "([^"]+)"`).FindStringSubmatch(e.errOut.String())
	if m == nil {
		t.Fatalf("stderr names no copy of the changes:\n%s", e.errOut)
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(m[1])
	return string(b)
}

func TestEditSavesTheChangedResource(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `sed -i 's/title: Production/title: Live/' "$1"`)
	if err := e.run("env", "prod", "-o", "json"); err != nil {
		t.Fatalf("edit: %v\n%s", err, e.errOut)
	}
	e.wantCalls(t, "GET /apis/management/v1/environments/prod",
		"PUT /apis/management/v1/environments/prod")
	// The file's resourceVersion goes with the PUT, so a change made
	// meanwhile is refused rather than overwritten.
	var sent api.ResourceInstance
	if err := json.Unmarshal([]byte(e.f.Body("PUT", "/apis/management/v1/environments/prod")), &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Title != "Live" || sent.Metadata.ResourceVersion != "1" {
		t.Errorf("PUT title %q, resourceVersion %q; want Live and 1", sent.Title, sent.Metadata.ResourceVersion)
	}
	if got, want := e.errOut.String(), "✔ \"environment/prod\" has successfully been edited.\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if !strings.Contains(e.out.String(), `"title": "Live"`) {
		t.Errorf("-o json printed:\n%s", e.out)
	}
}

func TestEditWritesOnlyTheSubresourceChanged(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `sed -i 's/owner: alice/owner: bob/' "$1"`)
	if err := e.run("apis", "petstore", "-s", "prod"); err != nil {
		t.Fatalf("edit: %v\n%s", err, e.errOut)
	}
	e.wantCalls(t, "GET /apis/management/v1/environments/prod/apiservices/petstore",
		"PUT /apis/management/v1/environments/prod/apiservices/petstore/details")
}

func TestEditWithoutAChangeIsCancelled(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `true`)
	err := e.run("env", "prod")
	if err == nil || err.Error() != "Edit cancelled, no changes made." {
		t.Fatalf("err = %v", err)
	}
	e.wantCalls(t, "GET /apis/management/v1/environments/prod")
}

func TestEditKeepsWhatCannotBeSaved(t *testing.T) {
	for _, tc := range []struct {
		name, script, stderr string
	}{
		{"stale", `sed -i 's/title: Production/title: Live/; s/resourceVersion: .*/resourceVersion: "0"/' "$1"`,
			`✖ "Environment/prod" Precondition required error: The resourceVersion is stale.`},
		{"renamed", `sed -i 's/^name: prod/name: staging/' "$1"`,
			`✖ "Environment/prod" edit cannot change a resource's kind, name or scope (the file names "Environment/staging")`},
		{"malformed", `echo 'title: [unclosed' >> "$1"`, `File content is invalid`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEditTest(t)
			e.script(t, tc.script)
			if err := e.run("env", "prod"); err == nil {
				t.Fatal("edit succeeded")
			}
			if !strings.Contains(e.errOut.String(), tc.stderr) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", e.errOut, tc.stderr)
			}
			if kept := e.keptCopy(t); !strings.Contains(kept, "kind: Environment") {
				t.Errorf("kept copy:\n%s", kept)
			}
			var r api.ResourceInstance
			if err := json.Unmarshal([]byte(e.getProd(t)), &r); err != nil || r.Title != "Production" || r.Name != "prod" {
				t.Errorf("stored: %+v (%v)", r, err)
			}
		})
	}
}

func (e *editTest) getProd(t *testing.T) string {
	t.Helper()
	c, _ := e.fac.Client()
	r, err := c.Get(context.Background(), client.Path{Group: "management", Version: "v1", Plural: "environments", Name: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func TestEditorThatFailsChangesNothing(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `sed -i 's/title: Production/title: Live/' "$1"; exit 3`)
	err := e.run("env", "prod")
	if err == nil || !strings.Contains(err.Error(), "failed: exit status 3; nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	e.wantCalls(t, "GET /apis/management/v1/environments/prod")
}

func TestEditOfAMissingResource(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `exit 0`)
	err := e.run("env", "nosuch")
	if err == nil || !strings.HasPrefix(err.Error(), `Unable to retrieve Environment "nosuch": `) || !client.HasStatus(err, 404) {
		t.Fatalf("err = %v", err)
	}
	if err := e.run("env", ""); err == nil || err.Error() != "resource name is required." {
		t.Fatalf("err = %v", err)
	}
	if err := e.run("apis", "petstore"); err == nil || !strings.Contains(err.Error(), "scope name param (-s/--scope) is required") {
		t.Fatalf("err = %v", err)
	}
}

func TestEditOfANameInTwoScopesAsksForTheKind(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `exit 0`)
	for _, kind := range []string{"Environment", "Integration"} {
		e.f.Seed(&api.ResourceInstance{Kind: "Webhook", Name: "jira", Metadata: api.Metadata{Scope: &api.Scope{Kind: kind, Name: "monitor"}}})
	}
	err := e.run("webhook", "jira", "-s", "monitor")
	if err == nil || err.Error() != `"Webhook/jira" exists in more than one scope named "monitor" (Environment/monitor, Integration/monitor): choose one with -s KIND/NAME` {
		t.Fatalf("err = %v", err)
	}
}

func TestEditWritesEachPartOnTheVersionThePreviousLeft(t *testing.T) {
	e := newEditTest(t)
	// The title, a subresource changed, one added, and none removed.
	e.script(t, `sed -i 's/title: Pet Store/title: Pets/; s/owner: alice/owner: bob/' "$1"; printf 'x-lint:\n  ok: true\n' >> "$1"`)
	if err := e.run("apis", "petstore", "-s", "prod"); err != nil {
		t.Fatalf("edit: %v\n%s", err, e.errOut)
	}
	const p = "/apis/management/v1/environments/prod/apiservices/petstore"
	e.wantCalls(t, "GET "+p, "PUT "+p, "PUT "+p+"/details", "PUT "+p+"/x-lint")
	var ifMatch []string
	for _, r := range e.f.Requests() {
		if r.Method == "PUT" && r.Path != p {
			ifMatch = append(ifMatch, r.IfMatch)
		}
	}
	if got := strings.Join(ifMatch, " "); got != `"2" "3"` {
		t.Errorf("If-Match of the subresource writes: %s, want \"2\" \"3\" (the resource's PUT carries 1 in its body)", got)
	}
}

func TestEditRemovesADeletedSubresource(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `sed -i '/^details:/,$d' "$1"`)
	if err := e.run("apis", "petstore", "-s", "prod"); err != nil {
		t.Fatalf("edit: %v\n%s", err, e.errOut)
	}
	const p = "/apis/management/v1/environments/prod/apiservices/petstore"
	e.wantCalls(t, "GET "+p, "PUT "+p+"/details")
	if got := e.f.Body("PUT", p+"/details"); got != `{"details":null}` {
		t.Errorf("body %s, want the subresource as null", got)
	}
}

func TestEditRefusesAnUnknownMemberBeforeWriting(t *testing.T) {
	e := newEditTest(t)
	e.script(t, `sed -i 's/title: Pet Store/title: Pets/' "$1"; echo 'bogus: 1' >> "$1"`)
	err := e.run("apis", "petstore", "-s", "prod")
	if !errors.As(err, new(*clierr.Reported)) {
		t.Fatalf("err = %v, want it reported", err)
	}
	if !strings.Contains(e.errOut.String(), `Unknown top-level key "bogus": neither a field nor a sub-resource of APIService.`) {
		t.Errorf("stderr:\n%s", e.errOut)
	}
	e.keptCopy(t)
	e.wantCalls(t, "GET /apis/management/v1/environments/prod/apiservices/petstore")
}

func TestEditSaysWhatWasSavedBeforeAFailure(t *testing.T) {
	e := newEditTest(t)
	const p = "/apis/management/v1/environments/prod/apiservices/petstore"
	e.f.Fail("PUT "+p+"/details", 400)
	e.script(t, `sed -i 's/title: Pet Store/title: Pets/; s/owner: alice/owner: bob/' "$1"`)
	if err := e.run("apis", "petstore", "-s", "prod"); err == nil {
		t.Fatal("edit succeeded")
	}
	want := "✖ \"APIService/petstore\" sub-resource \"details\" Forced error: forced by the test.\nSaved before that: the resource.\n"
	if !strings.HasPrefix(e.errOut.String(), want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", e.errOut, want)
	}
	e.keptCopy(t)
}

func TestEditCancelledWithoutARealChange(t *testing.T) {
	for name, script := range map[string]string{
		"emptied":      `: > "$1"`,
		"comment only": `echo '# a note' >> "$1"`,
		"reformatted":  `sed -i 's/^title: Production$/title: "Production"/' "$1"`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newEditTest(t)
			e.script(t, script)
			if err := e.run("env", "prod"); err == nil || err.Error() != "Edit cancelled, no changes made." {
				t.Fatalf("err = %v", err)
			}
			e.wantCalls(t, "GET /apis/management/v1/environments/prod")
		})
	}
}

func TestEditorRunsThroughTheShellAndKeepsStdoutClean(t *testing.T) {
	e := newEditTest(t)
	// Quotes and arguments in the editor line, and an editor that prints.
	e.editor = `echo editor noise; sed -i 's/title: Production/title: Live and well/'`
	if err := e.run("env", "prod", "-o", "json"); err != nil {
		t.Fatalf("edit: %v\n%s", err, e.errOut)
	}
	var printed api.ResourceInstance
	if err := json.Unmarshal(e.out.Bytes(), &printed); err != nil || printed.Title != "Live and well" {
		t.Errorf("stdout is not the edited resource (%v):\n%s", err, e.out)
	}
	if !strings.Contains(e.errOut.String(), "editor noise") {
		t.Errorf("the editor's output did not go to stderr:\n%s", e.errOut)
	}
}
