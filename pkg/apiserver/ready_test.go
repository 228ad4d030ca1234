package apiserver_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/internal/testlog"
	"github.com/centralhq/central/pkg/apiserver"
	"github.com/centralhq/central/pkg/store/sqlite"
)

func TestReadyzAsksTheStore(t *testing.T) {
	// A store of its own, which the test closes (the harness closes its own).
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	var logs testlog.Buffer
	h := newHarness(t, func(s *apiserver.Server) {
		s.Store, s.Logger = st, slog.New(slog.NewTextHandler(&logs, nil))
	})
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get(h.url + "/readyz") // no token: probes have none
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/readyz with the store open: %d %s, want 200 ok", code, body)
	}
	st.Close()
	for range 3 { // probes come often; the log says so once
		code, body := get()
		if code != 503 || !strings.Contains(body, "the store did not answer") {
			t.Fatalf("/readyz with the store closed: %d %s, want 503 naming the store", code, body)
		}
	}
	if n := strings.Count(logs.String(), "not ready"); n != 1 {
		t.Errorf("%d log lines for three failed probes, want 1:\n%s", n, logs.String())
	}
	if resp, err := http.Get(h.url + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz answers whatever the store does: %v %v", resp, err)
	}
}
