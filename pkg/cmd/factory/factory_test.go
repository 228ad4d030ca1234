package factory

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/iostreams"
)

func TestClientRefusesAnUnusableBaseURL(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "")
	for base, want := range map[string]string{
		"127.0.0.1:18081":    `base URL "127.0.0.1:18081" needs a scheme, like http://127.0.0.1:18081 (from --base-url, CENTRAL_BASE_URL, AXWAY_CENTRAL_BASE_URL or "central config set base-url")`,
		"central.example":    `base URL "central.example" needs a scheme, like http://central.example (from --base-url, CENTRAL_BASE_URL, AXWAY_CENTRAL_BASE_URL or "central config set base-url")`,
		"ftp://example.com":  `base URL "ftp://example.com" is not an http or https URL like http://127.0.0.1:8080 (from --base-url, CENTRAL_BASE_URL, AXWAY_CENTRAL_BASE_URL or "central config set base-url")`,
		"http://127.0.0.1:1": "",
	} {
		t.Setenv("CENTRAL_BASE_URL", base)
		ios, _, _, _ := iostreams.Test()
		_, err := New(ios).Client()
		if got := errString(err); got != want {
			t.Errorf("base URL %q: error %q, want %q", base, got, want)
		}
	}
}

// TestClientFallsBackToTheAmplifyVariable: with CENTRAL_BASE_URL unset,
// the client uses AXWAY_CENTRAL_BASE_URL, and its error names it.
func TestClientFallsBackToTheAmplifyVariable(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CENTRAL_BASE_URL", "")
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "central.example")
	ios, _, _, _ := iostreams.Test()
	_, err := New(ios).Client()
	want := `base URL "central.example" needs a scheme, like http://central.example (from --base-url, CENTRAL_BASE_URL, AXWAY_CENTRAL_BASE_URL or "central config set base-url")`
	if got := errString(err); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestClientTakesTheTimeout: CENTRAL_TIMEOUT (or --timeout, or the file)
// sets how long the client waits; one it cannot read is refused, naming it.
func TestClientTakesTheTimeout(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CENTRAL_BASE_URL", "http://127.0.0.1:1")
	t.Setenv("CENTRAL_TIMEOUT", "2m")
	ios, _, _, _ := iostreams.Test()
	c, err := New(ios).Client()
	if err != nil || c.Timeout() != 2*time.Minute {
		t.Fatalf("client %v, %v; want a 2m timeout", c, err)
	}
	t.Setenv("CENTRAL_TIMEOUT", "2")
	if _, err := New(ios).Client(); errString(err) != `timeout "2" is not a positive duration such as 30s or 2m (from CENTRAL_TIMEOUT)` {
		t.Fatalf("error %v", err)
	}
}
