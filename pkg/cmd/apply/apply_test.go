package apply

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
)

func TestNewCmdApplyFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    ApplyOptions
		wantErr string
	}{
		{args: []string{"-f", "x.yaml"}, want: ApplyOptions{File: "x.yaml"}},
		{args: []string{"--file", "-", "-o", "json", "-y"}, want: ApplyOptions{File: "-", Output: "json", Yes: true}},
		{args: []string{"-f", "x.yaml", "--subresource", "x-compliance"}, want: ApplyOptions{File: "x.yaml", SubResource: "x-compliance"}},
		{args: []string{}, wantErr: "File name is required, please provide -f, --file [path] option"},
		{args: []string{"-f", "x.yaml", "-o", "table"}, want: ApplyOptions{File: "x.yaml"}}, // table: the status lines alone
		{args: []string{"-f", "x.yaml", "-o", "wide"}, wantErr: `invalid "output" (-o,--output) value provided, allowed: yaml | json | table`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fac, _, _, _ := cmdtest.NewFactory(nil) // a flag test must not reach any server
			var got *ApplyOptions
			cmd := NewCmdApply(fac, func(o *ApplyOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				var fe *clierr.FlagError
				if !errors.As(err, &fe) || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want FlagError %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.File != tc.want.File || got.Output != tc.want.Output || got.Yes != tc.want.Yes || got.SubResource != tc.want.SubResource {
				t.Errorf("options = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// hooksFile writes an Integration and a Webhook in it with a subresource.
func hooksFile(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "hooks.yaml")
	if err := os.WriteFile(file, []byte(`kind: Integration
name: monitor
spec: {}
---
kind: Webhook
name: jira
metadata:
  scope: {kind: Integration, name: monitor}
spec: {url: "https://example.com/hook"}
x-delivery-notes: {owner: ops}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestApplyCreatesThenUpdates(t *testing.T) {
	f := cmdtest.NewAPI(t)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	file := hooksFile(t)
	run := func() error {
		out.Reset()
		errOut.Reset()
		cmd := NewCmdApply(fac, nil)
		cmd.SetArgs([]string{"-f", file})
		return cmd.ExecuteContext(context.Background())
	}

	if err := run(); err != nil {
		t.Fatal(err)
	}
	want := `✔ "Integration/monitor" has successfully been created.
✔ "Webhook/jira" in the scope "Integration/monitor" has successfully been created.
`
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}

	f.ClearRequests()
	if err := run(); err != nil {
		t.Fatal(err)
	}
	want = `✔ "Integration/monitor" has successfully been updated.
✔ "Webhook/jira" in the scope "Integration/monitor" has successfully been updated.
`
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	wantCalls := []string{
		"GET /apis/management/v1/integrations/monitor",
		"PUT /apis/management/v1/integrations/monitor",
		"GET /apis/management/v1/integrations/monitor/webhooks/jira",
		"PUT /apis/management/v1/integrations/monitor/webhooks/jira",
		// x-delivery-notes holds what the file says: not written again
	}
	if got := f.Calls(); strings.Join(got, "\n") != strings.Join(wantCalls, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantCalls, "\n"))
	}
	if out.Len() != 0 {
		t.Errorf("stdout without -o: %q", out)
	}
}

func TestApplyStdinWithOutput(t *testing.T) {
	f := cmdtest.NewAPI(t)
	fac, in, out, errOut := cmdtest.NewFactory(f)
	in.WriteString(`[{"kind": "Environment", "title": "Blue Team"}, {"kind": "Nope"}]`)
	cmd := NewCmdApply(fac, nil)
	cmd.SetArgs([]string{"-f", "-", "-o", "json"})
	if err := cmd.ExecuteContext(context.Background()); !errors.As(err, new(*clierr.Reported)) {
		t.Fatalf("err = %v, want it Reported", err)
	}
	want := `✖ Nothing was done: the file has 1 bad entry.
  - stdin: Entry 2, "Nope/Unknown name": Kind "Nope" is unsupported.
    Currently supported values are (case sensitive): APIService, Environment, Integration, Webhook
`
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	if out.Len() != 0 || len(f.Calls()) != 0 {
		t.Errorf("a bad file wrote: stdout %q, requests %q", out, f.Calls())
	}
	errOut.Reset()
	in.WriteString(`[{"kind": "Environment", "title": "Blue Team"}]`)
	cmd.SetArgs([]string{"-f", "-", "-o", "json"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "[\n    {") || !strings.Contains(out.String(), `"name": "blue-team"`) {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestApplySubResource(t *testing.T) {
	f := cmdtest.NewAPI(t)
	fac, _, _, errOut := cmdtest.NewFactory(f)
	file := hooksFile(t)
	cmd := NewCmdApply(fac, nil)
	cmd.SetArgs([]string{"-f", file})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.ClearRequests()
	errOut.Reset()

	cmd = NewCmdApply(fac, nil)
	cmd.SetArgs([]string{"-f", file, "--subresource", "x-delivery-notes"})
	if err := cmd.ExecuteContext(context.Background()); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	want := `✖ "Integration/monitor" sub-resource "x-delivery-notes" not found.
✔ "Webhook/jira" subresource "x-delivery-notes" in the scope "Integration/monitor" has successfully been updated.
`
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	if got, want := strings.Join(f.Calls(), "\n"), "PUT /apis/management/v1/integrations/monitor/webhooks/jira/x-delivery-notes"; got != want {
		t.Errorf("requests:\n%s\nwant:\n%s", got, want)
	}
}
