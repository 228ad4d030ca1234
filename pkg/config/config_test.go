package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/config"
)

// useFile points CENTRAL_CONFIG at a file in a fresh directory holding
// content ("" leaves the file missing) and clears the settings' variables.
func useFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if content != "" {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("CENTRAL_CONFIG", path)
	for _, k := range config.KeyNames() {
		for _, name := range config.EnvNames(k) {
			t.Setenv(name, "")
		}
	}
	return path
}

func load(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestPrecedence(t *testing.T) {
	useFile(t, "base-url: http://file.invalid:1\noutput: json\n")
	cfg := load(t)
	if got := cfg.Get("base-url"); got != "http://file.invalid:1" {
		t.Errorf("file: got %q", got)
	}
	t.Setenv("CENTRAL_BASE_URL", "http://env.invalid:2")
	if got := cfg.Get("base-url"); got != "http://env.invalid:2" {
		t.Errorf("environment over file: got %q", got)
	}
	cfg.Override("base-url", "http://flag.invalid:3")
	if got := cfg.Get("base-url"); got != "http://flag.invalid:3" {
		t.Errorf("flag over environment: got %q", got)
	}
	if got := cfg.Get("output"); got != "json" {
		t.Errorf("output: got %q", got)
	}
	if got := cfg.Get("token"); got != "" {
		t.Errorf("unset token: got %q", got)
	}
}

// TestAmplifyEnvironmentVariable: AXWAY_CENTRAL_BASE_URL, the Amplify CLI's
// variable, comes after CENTRAL_BASE_URL and before the file.
func TestAmplifyEnvironmentVariable(t *testing.T) {
	useFile(t, "base-url: http://file.invalid:1\n")
	cfg := load(t)
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "http://axway.invalid:2")
	if got := cfg.Get("base-url"); got != "http://axway.invalid:2" {
		t.Errorf("AXWAY_CENTRAL_BASE_URL over file: got %q", got)
	}
	t.Setenv("CENTRAL_BASE_URL", "http://env.invalid:3")
	if got := cfg.Get("base-url"); got != "http://env.invalid:3" {
		t.Errorf("CENTRAL_BASE_URL over AXWAY_CENTRAL_BASE_URL: got %q", got)
	}
	cfg.Override("base-url", "http://flag.invalid:4")
	if got := cfg.Get("base-url"); got != "http://flag.invalid:4" {
		t.Errorf("flag over environment: got %q", got)
	}
	t.Setenv("AXWAY_CENTRAL_TOKEN", "t") // only base-url has an Amplify variable
	if got := cfg.Get("token"); got != "" {
		t.Errorf("token: got %q", got)
	}
	if got, want := config.EnvNames("base-url"), []string{"CENTRAL_BASE_URL", "AXWAY_CENTRAL_BASE_URL"}; !reflect.DeepEqual(got, want) {
		t.Errorf("EnvNames(base-url) = %q, want %q", got, want)
	}
	if got, want := config.EnvNames("org"), []string{"CENTRAL_ORG"}; !reflect.DeepEqual(got, want) {
		t.Errorf("EnvNames(org) = %q, want %q", got, want)
	}
}

func TestCanonicalKey(t *testing.T) {
	for key, want := range map[string]string{"baseUrl": "base-url", "base-url": "base-url", "token": "token", "nosuch": "nosuch"} {
		if got := config.CanonicalKey(key); got != want {
			t.Errorf("CanonicalKey(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestDefaultsAndEmptyEnvironment(t *testing.T) {
	useFile(t, "")
	t.Setenv("CENTRAL_TOKEN", "") // set but empty counts as unset
	cfg := load(t)
	if got := cfg.Get("base-url"); got != config.DefaultBaseURL {
		t.Errorf("base-url: got %q, want the default", got)
	}
	if got := cfg.Get("token"); got != "" {
		t.Errorf("token: got %q", got)
	}
	values, err := cfg.FileValues()
	if err != nil || len(values) != 0 {
		t.Errorf("FileValues of a missing file: %v, %v", values, err)
	}
}

func TestFileValuesAsStrings(t *testing.T) {
	useFile(t, "Token: abc\norg: 42\nratio: 1.50\nflag: true\nnone: ~\nnested:\n  Key: v\nnumbered:\n  1: one\nlist: [a, b]\n")
	cfg := load(t)
	values, err := cfg.FileValues()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"token": "abc", "org": "42", "ratio": "1.5", "flag": "true", "none": "", "nested.key": "v", "numbered.1": "one", "list": ""}
	if !reflect.DeepEqual(values, want) {
		t.Errorf("FileValues:\n got %v\nwant %v", values, want)
	}
	if got := cfg.Get("TOKEN"); got != "abc" {
		t.Errorf("Get is case-insensitive: got %q", got)
	}
}

func TestWrite(t *testing.T) {
	path := useFile(t, "")
	path = filepath.Join(filepath.Dir(path), "sub", "config.yaml")
	t.Setenv("CENTRAL_CONFIG", path)
	cfg := load(t)
	if err := cfg.Write(map[string]string{"output": "json", "base-url": "http://x.invalid:1", "a.b": "c"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a:\n    b: c\nbase-url: http://x.invalid:1\noutput: json\n"; string(b) != want {
		t.Errorf("file:\n%s\nwant:\n%s", b, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: %v, %v", fi.Mode(), err)
	}
	values, err := cfg.FileValues()
	if err != nil || values["a.b"] != "c" || values["output"] != "json" {
		t.Errorf("read back: %v, %v", values, err)
	}
	if err := cfg.Write(map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "{}\n" {
		t.Errorf("empty file: %q", b)
	}
}

func TestBadFile(t *testing.T) {
	path := useFile(t, "base-url: [unclosed\n")
	_, err := config.Load()
	if err == nil || !strings.Contains(err.Error(), "read the config file "+path) {
		t.Fatalf("got %v", err)
	}
}

func TestTimeout(t *testing.T) {
	useFile(t, "timeout: 2m\n")
	cfg := load(t)
	if d, err := cfg.Timeout(); d.String() != "2m0s" || err != nil {
		t.Fatalf("from the file: %v %v", d, err)
	}
	t.Setenv("CENTRAL_TIMEOUT", "soon")
	_, err := cfg.Timeout()
	if want := `timeout "soon" is not a positive duration such as 30s or 2m (from CENTRAL_TIMEOUT)`; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	for _, v := range []string{"0s", "-5s", "30"} {
		if _, err := config.ParseTimeout(v); err == nil {
			t.Errorf("ParseTimeout(%q) took it", v)
		}
	}
	useFile(t, "")
	if d, err := load(t).Timeout(); d != 0 || err != nil {
		t.Fatalf("unset: %v %v", d, err)
	}
}
