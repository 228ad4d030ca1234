package create

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

func testFactory(t *testing.T, f *fakeAPI) (*factory.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	url := "http://127.0.0.1:1" // a flag test must not reach any server
	if f != nil {
		url = f.URL
	}
	c := client.New(url, client.Options{})
	return &factory.Factory{
		IOStreams:   ios,
		Client:      func() (*client.Client, error) { return c, nil },
		Definitions: func(ctx context.Context) (*discovery.Set, error) { return discovery.Load(ctx, c, "", true) },
		Now:         func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) },
	}, out, errOut
}

// execute runs cmd under a root, as in the real tree (cobra adds its own
// commands to a root).
func execute(cmd *cobra.Command, args ...string) error {
	root := &cobra.Command{Use: "central", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	return root.ExecuteContext(context.Background())
}

func wantFlagError(t *testing.T, err error, msg string) {
	t.Helper()
	var fe *clierr.FlagError
	if !errors.As(err, &fe) || err.Error() != msg {
		t.Fatalf("err = %v, want FlagError %q", err, msg)
	}
}

func TestNewCmdCreateArguments(t *testing.T) {
	fac, _, _ := testFactory(t, nil)
	extra := &cobra.Command{Use: "webhook NAME", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd := NewCmdCreate(fac, extra)
	wantFlagError(t, execute(cmd), "File name is required, please provide -f, --file [path] option")
	wantFlagError(t, execute(NewCmdCreate(fac, extra), "gadget", "x"),
		`unknown resource type "gadget" for "central create": use -f FILE, or one of: environment, webhook`)
	wantFlagError(t, execute(NewCmdCreate(fac), "-f", "x.yaml", "-o", "wide"),
		`invalid "output" (-o,--output) value provided, allowed: yaml | json`)
	wantFlagError(t, execute(NewCmdCreate(fac), "env"), "You must specify the name of the environment to create.")

	var got *CreateOptions
	cmd = NewCmdCreateFile(fac, func(o *CreateOptions) error { got = o; return nil })
	if err := execute(cmd, "-f", "-", "-o", "yaml", "-y"); err != nil {
		t.Fatal(err)
	}
	if got.File != "-" || got.Output != "yaml" || !got.Yes {
		t.Errorf("options = %+v", got)
	}
	var env *EnvironmentOptions
	cmd = NewCmdEnvironment(fac, func(o *EnvironmentOptions) error { env = o; return nil })
	if err := execute(cmd, "prod", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	if env.Name != "prod" || env.Output != "json" {
		t.Errorf("options = %+v", env)
	}
}

func TestCreateFileConflict(t *testing.T) {
	f := newFakeAPI(t)
	f.seed(&api.ResourceInstance{Kind: "Environment", Name: "prod"})
	fac, _, errOut := testFactory(t, f)
	file := filepath.Join(t.TempDir(), "envs.yaml")
	if err := os.WriteFile(file, []byte("kind: Environment\nname: prod\n---\nkind: Environment\nname: test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := execute(NewCmdCreate(fac), "-f", file); !errors.Is(err, clierr.ErrSilent) {
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
	f := newFakeAPI(t)
	fac, out, errOut := testFactory(t, f)
	if err := execute(NewCmdCreate(fac), "environment", "prod"); err != nil {
		t.Fatal(err)
	}
	if got, want := errOut.String(), "✔ \"Environment/prod\" has successfully been created.\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if out.Len() != 0 {
		t.Errorf("stdout without -o: %q", out)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(f.body("POST", "/apis/management/v1/environments")), &body); err != nil {
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
	if err := execute(NewCmdCreate(fac), "env", "staging", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var printed api.ResourceInstance
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil || printed.Name != "staging" || printed.Kind != "Environment" {
		t.Errorf("stdout is not the environment (%v):\n%s", err, out)
	}

	errOut.Reset()
	if err := execute(NewCmdCreate(fac), "env", "prod"); !errors.Is(err, clierr.ErrSilent) {
		t.Fatalf("err = %v, want ErrSilent", err)
	}
	if got, want := errOut.String(), "✖ \"Environment/prod\" Conflict error: Resource prod of kind Environment already exists.\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}
