package create

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
)

func wantFlagError(t *testing.T, err error, msg string) {
	t.Helper()
	var fe *clierr.FlagError
	if !errors.As(err, &fe) || err.Error() != msg {
		t.Fatalf("err = %v, want FlagError %q", err, msg)
	}
}

func TestNewCmdCreateArguments(t *testing.T) {
	fac, _, _, _ := cmdtest.NewFactory(nil) // a flag test must not reach any server
	extra := &cobra.Command{Use: "webhook NAME", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd := NewCmdCreate(fac, extra)
	wantFlagError(t, cmdtest.Execute(cmd), "File name is required, please provide -f, --file [path] option")
	wantFlagError(t, cmdtest.Execute(NewCmdCreate(fac, extra), "gadget", "x"),
		`unknown resource type "gadget" for "central create": use -f FILE, or one of: environment, webhook`)
	wantFlagError(t, cmdtest.Execute(NewCmdCreate(fac), "-f", "x.yaml", "-o", "wide"),
		`invalid "output" (-o,--output) value provided, allowed: yaml | json | table`)
	wantFlagError(t, cmdtest.Execute(NewCmdCreate(fac), "env"), "You must specify the name of the environment to create.")

	var got *CreateOptions
	cmd = NewCmdCreateFile(fac, func(o *CreateOptions) error { got = o; return nil })
	if err := cmdtest.Execute(cmd, "-f", "-", "-o", "yaml", "-y"); err != nil {
		t.Fatal(err)
	}
	if got.File != "-" || got.Output != "yaml" || !got.Yes {
		t.Errorf("options = %+v", got)
	}
	var env *EnvironmentOptions
	cmd = NewCmdEnvironment(fac, func(o *EnvironmentOptions) error { env = o; return nil })
	if err := cmdtest.Execute(cmd, "prod", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	if env.Name != "prod" || env.Output != "json" {
		t.Errorf("options = %+v", env)
	}
}

func TestCreateFileConflict(t *testing.T) {
	f := cmdtest.NewAPI(t)
	f.Seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	fac, _, _, errOut := cmdtest.NewFactory(f)
	file := filepath.Join(t.TempDir(), "envs.yaml")
	if err := os.WriteFile(file, []byte("kind: Environment\nname: prod\n---\nkind: Environment\nname: test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cmdtest.Execute(NewCmdCreate(fac), "-f", file); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	want := `✖ "Environment/prod" Conflict error: Resource prod of kind Environment already exists.
✔ "Environment/test" has successfully been created.
`
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
}

func TestCreateEnvironment(t *testing.T) {
	f := cmdtest.NewAPI(t)
	fac, _, out, errOut := cmdtest.NewFactory(f)
	if err := cmdtest.Execute(NewCmdCreate(fac), "environment", "prod"); err != nil {
		t.Fatal(err)
	}
	if got, want := errOut.String(), "✔ \"Environment/prod\" has successfully been created.\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if out.Len() != 0 {
		t.Errorf("stdout without -o: %q", out)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(f.Body("POST", "/apis/management/v1/environments")), &body); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"group": "management", "kind": "Environment", "name": "prod", "title": "prod"} {
		if body[k] != want {
			t.Errorf("POST body %s = %v, want %v", k, body[k], want)
		}
	}
	if spec, ok := body["spec"].(map[string]any); !ok || len(spec) != 0 {
		t.Errorf("POST body spec = %v, want {}", body["spec"])
	}

	out.Reset()
	errOut.Reset()
	if err := cmdtest.Execute(NewCmdCreate(fac), "env", "staging", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var printed api.ResourceInstance
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil || printed.Name != "staging" || printed.Kind != "Environment" {
		t.Errorf("stdout is not the environment (%v):\n%s", err, out)
	}

	errOut.Reset()
	// Already reported on stderr; the root still gives it as a document
	// under -o json|yaml.
	err := cmdtest.Execute(NewCmdCreate(fac), "env", "prod")
	if !errors.As(err, new(*clierr.Reported)) || !client.HasStatus(err, 409) {
		t.Fatalf("err = %v, want the 409 as a clierr.Reported", err)
	}
	if got, want := errOut.String(), "✖ \"Environment/prod\" Conflict error: Resource prod of kind Environment already exists.\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}
