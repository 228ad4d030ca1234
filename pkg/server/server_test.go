package server_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// An idle keep-alive connection is closed, so idle clients cannot pile up
// open connections.
func TestIdleConnectionIsClosed(t *testing.T) {
	h := start(t, server.Config{IdleTimeout: 50 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: central\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the server did not keep the connection alive")
	}
	// The generous bound only keeps a broken server from hanging the test.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection still open: read gave %v, want EOF", err)
	}
}

// TestTrickledBodyIsCutOff: a client that sends a body too slowly loses the
// connection after BodyReadTimeout instead of holding it and a handler.
func TestTrickledBodyIsCutOff(t *testing.T) {
	h := start(t, server.Config{BodyReadTimeout: 50 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "POST /apis/management/v1/environments HTTP/1.1\r\nHost: central\r\nAuthorization: Bearer " + h.srv.Token() +
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"na"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	// The generous bound only keeps a broken server from hanging the test;
	// whatever the server answers, it must then close the connection.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("the trickled request's connection is still open: %v", err)
	}
	var envs []map[string]any
	if h.do("GET", "/apis/management/v1/environments", nil, &envs); len(envs) != 0 {
		t.Fatalf("the cut-off body created something: %v", envs)
	}
}
