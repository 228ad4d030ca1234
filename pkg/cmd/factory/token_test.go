package factory

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/centralhq/central/pkg/config"
	"github.com/centralhq/central/pkg/datadir"
	"github.com/centralhq/central/pkg/iostreams"
)

// tokenEnv gives the test its own config file, data dir and server, clears
// the token's variables, and returns the config file's path and a function
// returning the Authorization header of the last request the server got.
func tokenEnv(t *testing.T) (configPath string, auth func() string) {
	t.Helper()
	var got atomic.Value
	got.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	configPath = filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("CENTRAL_CONFIG", configPath)
	t.Setenv("CENTRAL_DATA_DIR", t.TempDir())
	t.Setenv("CENTRAL_BASE_URL", srv.URL)
	t.Setenv("AXWAY_CENTRAL_BASE_URL", "")
	for _, name := range config.EnvNames("token") {
		t.Setenv(name, "")
	}
	return configPath, func() string { return got.Load().(string) }
}

// sendWith builds the factory's client, with cfgEdit applied to the config
// (flags are applied so), and sends one request through it.
func sendWith(t *testing.T, cfgEdit func(*config.Config)) error {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := New(ios)
	if cfgEdit != nil {
		load := f.Config
		f.Config = func() (*config.Config, error) {
			cfg, err := load()
			if err == nil {
				cfgEdit(cfg)
			}
			return cfg, err
		}
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	_, err = c.Do(context.Background(), http.MethodGet, "/apis", nil, nil, nil)
	return err
}

// TestClientTrimsTheToken: a token with surrounding white space, as a file
// read into a variable has, is sent trimmed, from every source.
func TestClientTrimsTheToken(t *testing.T) {
	for name, set := range map[string]func(t *testing.T, configPath string) func(*config.Config){
		"CENTRAL_TOKEN": func(t *testing.T, _ string) func(*config.Config) {
			t.Setenv("CENTRAL_TOKEN", " s3cret\r\n")
			return nil
		},
		"--token": func(*testing.T, string) func(*config.Config) {
			return func(cfg *config.Config) { cfg.Override("token", "\ts3cret\n") }
		},
		"config file": func(t *testing.T, configPath string) func(*config.Config) {
			if err := os.WriteFile(configPath, []byte("token: \"s3cret\\n\"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		"local token file": func(t *testing.T, _ string) func(*config.Config) {
			if err := os.WriteFile(filepath.Join(datadir.Default(), datadir.TokenFile), []byte("s3cret \n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			configPath, auth := tokenEnv(t)
			if err := sendWith(t, set(t, configPath)); err != nil {
				t.Fatal(err)
			}
			if got := auth(); got != "Bearer s3cret" {
				t.Errorf("Authorization %q, want %q", got, "Bearer s3cret")
			}
		})
	}
}

// TestClientRefusesATokenWithInnerWhiteSpace: white space or a control
// character left inside the token fails before any request, naming where
// the token came from (never the token), not as a connection error.
func TestClientRefusesATokenWithInnerWhiteSpace(t *testing.T) {
	t.Run("CENTRAL_TOKEN", func(t *testing.T) {
		_, auth := tokenEnv(t)
		t.Setenv("CENTRAL_TOKEN", "s3cret\nother\n")
		checkTokenError(t, sendWith(t, nil), auth, "the token (from CENTRAL_TOKEN) holds a space or control character: set it to the token alone")
	})
	t.Run("--token", func(t *testing.T) {
		_, auth := tokenEnv(t)
		t.Setenv("CENTRAL_TOKEN", "ignored")
		err := sendWith(t, func(cfg *config.Config) { cfg.Override("token", "s3cret other") })
		checkTokenError(t, err, auth, "the token (from --token) holds a space or control character: set it to the token alone")
	})
	t.Run("config file", func(t *testing.T) {
		configPath, auth := tokenEnv(t)
		if err := os.WriteFile(configPath, []byte("token: \"s3cret\\u0007\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		checkTokenError(t, sendWith(t, nil), auth, `the token (from the config file `+configPath+` ("central config set token")) holds a space or control character: set it to the token alone`)
	})
	t.Run("local token file", func(t *testing.T) {
		_, auth := tokenEnv(t)
		path := filepath.Join(datadir.Default(), datadir.TokenFile)
		if err := os.WriteFile(path, []byte("s3cret\x00\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		checkTokenError(t, sendWith(t, nil), auth, "the token (from the local server's token file "+path+") holds a space or control character: set it to the token alone")
	})
}

func checkTokenError(t *testing.T, err error, auth func() string, want string) {
	t.Helper()
	if got := errString(err); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q holds the token", err)
	}
	if got := auth(); got != "" {
		t.Errorf("a request went out with Authorization %q", got)
	}
}
