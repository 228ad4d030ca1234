package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/centralhq/central/pkg/cmd/cmdtest"
	configcmd "github.com/centralhq/central/pkg/cmd/config"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

// TestBaseURLKeyAlias: "baseUrl", the Amplify CLI's key, is stored, read and
// removed as base-url.
func TestBaseURLKeyAlias(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("CENTRAL_CONFIG", path)
	t.Setenv("CENTRAL_BASE_URL", "")
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "")
	config := func(args ...string) string {
		t.Helper()
		ios, _, out, _ := iostreams.Test()
		if err := cmdtest.Execute(configcmd.NewCmdConfig(factory.New(ios)), args...); err != nil {
			t.Fatalf("central config %q: %v", args, err)
		}
		return out.String()
	}
	config("set", "baseUrl", "http://amplify.invalid:1")
	if b, err := os.ReadFile(path); err != nil || string(b) != "base-url: http://amplify.invalid:1\n" {
		t.Errorf("file: %q, %v", b, err)
	}
	if got := config("get", "baseUrl"); got != "http://amplify.invalid:1\n" {
		t.Errorf("get baseUrl: %q", got)
	}
	config("unset", "baseUrl")
	if b, err := os.ReadFile(path); err != nil || string(b) != "{}\n" {
		t.Errorf("file after unset: %q, %v", b, err)
	}

	ios, _, _, _ := iostreams.Test()
	err := cmdtest.Execute(configcmd.NewCmdConfig(factory.New(ios)), "set", "baseUrl", "central.example")
	if want := `base-url must be a URL like http://127.0.0.1:8080; got "central.example"`; err == nil || err.Error() != want {
		t.Errorf("set baseUrl to a bad URL: %v, want %s", err, want)
	}
}

// An unknown key gets the Amplify CLI's line, then the keys there are.
func TestUnknownKey(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	ios, _, _, _ := iostreams.Test()
	err := cmdtest.Execute(configcmd.NewCmdConfig(factory.New(ios)), "set", "bogus", "1")
	if want := "central configuration doesn't support the \"bogus\" key.\nSupported keys: base-url (or baseUrl), org, output, timeout, token"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// A timeout is saved only as a duration the client can use.
func TestSetTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("CENTRAL_CONFIG", path)
	ios, _, _, _ := iostreams.Test()
	err := cmdtest.Execute(configcmd.NewCmdConfig(factory.New(ios)), "set", "timeout", "90")
	if want := `timeout "90" is not a positive duration such as 30s or 2m`; err == nil || err.Error() != want {
		t.Errorf("set timeout 90: %v, want %s", err, want)
	}
	if err := cmdtest.Execute(configcmd.NewCmdConfig(factory.New(ios)), "set", "timeout", "90s"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "timeout: 90s\n" {
		t.Errorf("file: %q, %v", b, err)
	}
}
