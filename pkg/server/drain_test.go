package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/sqlite"
)

// TestGracefulStopDrains stops the server while a webhook request is in
// flight: the stop waits for it, and its outcome is recorded.
func TestGracefulStopDrains(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: dir, PollInterval: 10 * time.Millisecond,
		ShutdownTimeout: time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	h := &harness{t: t, srv: s}
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	<-arrived
	cancel() // stop while the request is in flight
	select {
	case <-done:
		t.Fatal("the stop did not wait for the request in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), dir+"/central.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_ = st.View(context.Background(), func(tx store.Tx) error {
		ds, _, err := tx.DeliveryList(context.Background(), store.DeliveryFilter{Org: s.API.Org})
		if err != nil || len(ds) != 1 || ds[0].Status != api.DeliverySucceeded {
			t.Fatalf("after the drain: %+v %v", ds, err)
		}
		return nil
	})
}
