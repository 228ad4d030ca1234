package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// TestTokenPathOnlyForLoopback asks without a token from this machine and
// from another one: only the first learns where the token file is.
func TestTokenPathOnlyForLoopback(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(ctx, Config{DataDir: dir, Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	detail := func(resp *http.Response) string {
		t.Helper()
		defer resp.Body.Close()
		var body api.ErrorResponse
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusUnauthorized || len(body.Errors) == 0 {
			t.Fatalf("status %d, %v: want a 401 error body", resp.StatusCode, err)
		}
		return body.Errors[0].Detail
	}
	resp, err := http.Get(s.URL() + "/apis/management/v1/environments")
	if err != nil {
		t.Fatal(err)
	}
	if d := detail(resp); !strings.Contains(d, dir) {
		t.Errorf("from loopback: %q, want the token file's path", d)
	}

	req := httptest.NewRequest(http.MethodGet, "/apis/management/v1/environments", nil)
	req.RemoteAddr = "203.0.113.7:40000"
	rec := httptest.NewRecorder()
	s.http.Handler.ServeHTTP(rec, req)
	d := detail(rec.Result())
	if strings.Contains(d, dir) || !strings.Contains(d, "The server's token is in the file admin-token of its data directory.") {
		t.Errorf("from elsewhere: %q, want the file's name and no path", d)
	}
}
