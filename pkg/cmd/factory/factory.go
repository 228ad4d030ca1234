// Package factory builds the lazy dependencies every command shares: config,
// API client and discovered kinds. Nothing is read or dialled until a command
// asks, so --help and completion stay instant and offline.
package factory

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/centralhq/central/pkg/build"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/config"
	"github.com/centralhq/central/pkg/datadir"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// Factory is what commands get their dependencies from.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Config loads the settings (flags already applied by the root).
	Config func() (*config.Config, error)
	// Client returns the API client for the configured server.
	Client func() (*client.Client, error)
	// Definitions returns the kinds the server serves (cached on disk).
	Definitions func(ctx context.Context) (*discovery.Set, error)
	// Now is the clock, injected for tests.
	Now func() time.Time
	// NoCache makes Definitions ignore the on-disk cache (--no-cache).
	NoCache bool
}

// New returns the factory of a real run. Dependency order: Config, then
// Client (needs the base URL and token), then Definitions (needs Client).
func New(ios *iostreams.IOStreams) *Factory {
	f := &Factory{IOStreams: ios, Now: time.Now}
	f.Config = sync.OnceValues(config.Load)
	f.Client = sync.OnceValues(func() (*client.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		base := cfg.Get("base-url")
		if err := checkBaseURL(base); err != nil {
			return nil, err
		}
		token, err := resolveToken(cfg, base)
		if err != nil {
			return nil, err
		}
		timeout, err := cfg.Timeout()
		if err != nil {
			return nil, err
		}
		return client.New(base, client.Options{Token: token, OrgID: cfg.Get("org"), UserAgent: "central/" + build.Version, Timeout: timeout}), nil
	})
	var defs struct {
		once sync.Once
		set  *discovery.Set
		err  error
	}
	f.Definitions = func(ctx context.Context) (*discovery.Set, error) {
		defs.once.Do(func() {
			c, err := f.Client()
			if err != nil {
				defs.err = err
				return
			}
			defs.set, defs.err = discovery.Load(ctx, c, cacheDir(), f.NoCache)
		})
		return defs.set, defs.err
	}
	return f
}

// checkBaseURL refuses a base URL the client could not use, saying how to
// write it rather than passing on url.Parse's words.
func checkBaseURL(base string) error {
	u, err := url.Parse(base)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	from := "(from --base-url, " + strings.Join(config.EnvNames("base-url"), ", ") + ` or "central config set base-url")`
	if !strings.Contains(base, "://") {
		return fmt.Errorf("base URL %q needs a scheme, like http://%s %s", base, base, from)
	}
	return fmt.Errorf("base URL %q is not an http or https URL like http://127.0.0.1:8080 %s", base, from)
}

// resolveToken returns the token to send: the configured one, else a local
// server's, with surrounding white space (a file's trailing newline read
// into a variable) trimmed. One still holding white space or a control
// character could never go into the Authorization header; the error names
// where it came from, never the token.
func resolveToken(cfg *config.Config, base string) (string, error) {
	token, from := strings.TrimSpace(cfg.Get("token")), cfg.Source("token")
	if token == "" && isLocal(base) {
		dir := datadir.Default()
		token = strings.TrimSpace(datadir.ReadToken(dir))
		from = "the local server's token file " + filepath.Join(dir, datadir.TokenFile)
	}
	if strings.ContainsFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", fmt.Errorf("the token (from %s) holds a space or control character: set it to the token alone", from)
	}
	return token, nil
}

// isLocal reports whether the server runs on this machine, where the CLI may
// read a local server's admin token from its data dir.
func isLocal(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

func cacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "central")
}
