// Package datadir knows where a local `central serve` keeps its files, so the
// CLI can find a local server's admin token without any setup.
package datadir

import (
	"os"
	"path/filepath"
)

// TokenFile is the name of the admin token file inside a data dir.
const TokenFile = "admin-token"

// Default returns the data dir: $CENTRAL_DATA_DIR, else
// $XDG_DATA_HOME/central, else ~/.local/share/central.
func Default() string {
	if d := os.Getenv("CENTRAL_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "central")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "central")
	}
	return filepath.Join(home, ".local", "share", "central")
}

// ReadToken returns the admin token stored in dir, or "" when there is none.
func ReadToken(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if err != nil {
		return ""
	}
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return string(b)
}
