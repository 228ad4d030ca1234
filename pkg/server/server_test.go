package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/server"
)

func TestTokenAndOrgAreKept(t *testing.T) {
	dir := t.TempDir()
	h := start(t, server.Config{DataDir: dir})
	info, err := os.Stat(filepath.Join(dir, "admin-token"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("admin-token: %v %v", info, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "admin-token"))
	if strings.TrimSpace(string(b)) != h.srv.Token() || len(h.srv.Token()) < 32 {
		t.Fatal("the token file does not hold the server's token")
	}
	org := h.srv.API.Org

	// a second server on the same data dir is refused while the first runs
	if _, err := server.New(t.Context(), server.Config{DataDir: dir, Addr: "127.0.0.1:0"}); err == nil ||
		!strings.Contains(err.Error(), "in use by another central server") {
		t.Fatalf("a second server on the data dir: %v", err)
	}
	// a restart on the same data dir keeps both
	h.stop()
	again := start(t, server.Config{DataDir: dir})
	if again.srv.API.Org != org || again.srv.Token() != strings.TrimSpace(string(b)) {
		t.Fatal("the organization id or token changed across restarts")
	}
}

func TestOrgMismatchIsRefused(t *testing.T) {
	dir := t.TempDir()
	h := start(t, server.Config{DataDir: dir, OrgID: "111"})
	if h.srv.API.Org != "111" {
		t.Fatalf("org %s", h.srv.API.Org)
	}
	h.stop()
	_, err := server.New(t.Context(), server.Config{DataDir: dir, OrgID: "222", Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "belongs to organization 111") {
		t.Fatalf("another org on the same store: %v", err)
	}
}
