package config_test

import (
	"strconv"
	"testing"
)

func TestSource(t *testing.T) {
	path := useFile(t, "token: from-file\n")
	cfg := load(t)
	if got, want := cfg.Source("token"), "the config file "+path+" ("+strconv.Quote("central config set token")+")"; got != want {
		t.Errorf("file: %q, want %q", got, want)
	}
	if got := cfg.Source("org"); got != "" {
		t.Errorf("unset: %q, want nothing", got)
	}
	t.Setenv("CENTRAL_TOKEN", "from-env")
	if got := cfg.Source("token"); got != "CENTRAL_TOKEN" {
		t.Errorf("environment: %q", got)
	}
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "http://amplify.invalid")
	if got := cfg.Source("base-url"); got != "AXWAY_CENTRAL_BASE_URL" {
		t.Errorf("Amplify variable: %q", got)
	}
	cfg.Override("token", "from-flag")
	if got := cfg.Source("TOKEN"); got != "--token" {
		t.Errorf("flag: %q", got)
	}
}
