package server_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/internal/testlog"
	"github.com/centralhq/central/pkg/server"
)

func TestFailedBindLeavesNothingBehind(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := filepath.Join(t.TempDir(), "data")
	_, err = server.New(t.Context(), server.Config{DataDir: dir, Addr: taken.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "listen on "+taken.Addr().String()) {
		t.Fatalf("err = %v, want the listen error", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("the failed start left the data dir behind (%v): %v", err, entries)
	}
}

func TestListenErrorsSayWhatToDo(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct{ addr, want, not string }{
		{taken.Addr().String(), "is another central serve running there?", ""},
		{"127.0.0.1", "--addr takes HOST:PORT, like 127.0.0.1:8080", "another central serve"},
		{"127.0.0.1:http-alt-nope", "--addr takes HOST:PORT", "another central serve"},
	} {
		_, err := server.New(t.Context(), server.Config{DataDir: t.TempDir(), Addr: tc.addr})
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.not != "" && strings.Contains(err.Error(), tc.not)) {
			t.Errorf("--addr %s: err = %v, want %q", tc.addr, err, tc.want)
		}
	}
}

func TestStartAndStopAreLogged(t *testing.T) {
	var logs testlog.Buffer
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	s, err := server.New(ctx, server.Config{DataDir: dir, Addr: "127.0.0.1:0",
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	if code, err := http.Get(s.URL() + "/healthz"); err != nil || code.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", code, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	msgs := map[string]map[string]any{}
	for _, l := range logs.Lines(t) {
		msgs[l["msg"].(string)] = l
	}
	if m := msgs["store migrated"]; m == nil || len(m["applied"].([]any)) == 0 {
		t.Errorf("a new store's migrations were not logged: %v", msgs)
	}
	if m := msgs["central serve started"]; m == nil || m["store"] != "sqlite://"+filepath.Join(dir, "central.db") || m["schema"] != float64(len(sqliteMigrations(t))) {
		t.Errorf("the start line does not name the store: %v", m)
	}
	if m := msgs["stopping"]; m == nil || m["within"] != "15s" {
		t.Errorf("the stop line does not say how long it may take: %v", m)
	}
	if msgs["stopped"] == nil {
		t.Errorf("no line says the server stopped: %v", msgs)
	}
}

// sqliteMigrations lists the SQLite driver's migration files, numbered from
// 1 with none missing, so their count is the schema version.
func sqliteMigrations(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../store/sqlite/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	return files
}
