package outputflag

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/config"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"": "", "table": "", "yaml": "yaml", "json": "json"} {
		if got, err := Normalize(in); got != want || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	var fe *clierr.FlagError
	if _, err := Normalize("wide"); !errors.As(err, &fe) || !errors.Is(err, ErrUnknown) {
		t.Errorf("Normalize(wide) = %v, want a FlagError for ErrUnknown", err)
	}
}

// resolve runs a command with -o registered by Add, with CENTRAL_OUTPUT set
// to configured, and returns what Resolve made of it.
func resolve(t *testing.T, configured string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CENTRAL_OUTPUT", configured)
	f := &factory.Factory{Config: config.Load}
	var opt, got string
	var err error
	cmd := &cobra.Command{Use: "x", RunE: func(cmd *cobra.Command, _ []string) error {
		got, err = Resolve(cmd, f, opt)
		if of := Of(cmd); err == nil && of != got {
			t.Errorf("Of = %q after Resolve gave %q", of, got)
		}
		return nil
	}}
	Add(cmd, &opt, "output format")
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return got, err
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		configured string
		args       []string
		want       string
	}{
		{"", nil, ""},
		{"json", nil, "json"},
		{"json", []string{"-o", "table"}, ""}, // the way back to a table for one command
		{"table", nil, ""},
		{"table", []string{"-o", "yaml"}, "yaml"},
	} {
		if got, err := resolve(t, tc.configured, tc.args...); got != tc.want || err != nil {
			t.Errorf("CENTRAL_OUTPUT=%s %v: %q, %v; want %q", tc.configured, tc.args, got, err, tc.want)
		}
	}
	_, err := resolve(t, "wide")
	var fe *clierr.FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `the configured output "wide"`) {
		t.Errorf("CENTRAL_OUTPUT=wide: %v, want a FlagError naming the configured value", err)
	}
	if got, err := resolve(t, "wide", "-o", "json"); got != "json" || err != nil {
		t.Errorf("CENTRAL_OUTPUT=wide -o json: %q, %v; want -o to win", got, err)
	}
}
