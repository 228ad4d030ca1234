package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centralhq/central/internal/testlog"
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

// TestStopCutsOffARequestPastTheDrain: a request still in flight when the
// drain timeout ends is cut off. Its attempt says the server stopped and
// counts nothing against the receiver, and the delivery is sent again once
// the dispatcher is back.
func TestStopCutsOffARequestPastTheDrain(t *testing.T) {
	h := start(t, server.Config{ShutdownTimeout: 50 * time.Millisecond})
	first, release := make(chan struct{}), make(chan struct{})
	var arrived atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if arrived.Add(1) == 1 {
			close(first)
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	defer close(release)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	<-first
	h.srv.Dispatcher.Stop()

	ds := h.deliveries("")
	if len(ds) != 1 || ds[0].Status != api.DeliveryPending || ds[0].Attempts != 1 {
		t.Fatalf("after the stop: %+v", ds)
	}
	var d api.Delivery
	h.do("GET", "/deliveries/"+ds[0].ID, nil, &d)
	if a := d.History; len(a) != 1 || a[0].ErrorClass != api.ErrorStopped || !strings.Contains(a[0].Error, "server stopped") {
		t.Fatalf("the cut-off attempt: %+v", d.History)
	}
	_ = h.srv.Dispatcher.Store.View(context.Background(), func(tx store.Tx) error {
		health, err := tx.WebhookHealthGet(context.Background(), h.srv.API.Org, ds[0].Webhook)
		if err != nil || !health.FailingSince.IsZero() {
			t.Fatalf("the stop counted against the receiver: %+v %v", health, err)
		}
		return nil
	})

	if err := h.srv.Dispatcher.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the delivery sent again", func() bool {
		ds := h.deliveries("")
		return len(ds) == 1 && ds[0].Status == api.DeliverySucceeded && ds[0].Attempts == 2
	})
}

// TestStopCutsOffAPIRequestsAtTheTimeout: an API request still running at
// the shutdown timeout (a test send to a receiver that does not answer) is
// cut off, and the stop ends as a stop, not as an error.
func TestStopCutsOffAPIRequestsAtTheTimeout(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	defer rcv.Close()
	defer close(release)
	var logs testlog.Buffer
	h := start(t, server.Config{ShutdownTimeout: 200 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	go func() {
		req, _ := http.NewRequest("POST", h.srv.URL()+mgmt+"/integrations/i/webhooks/wh/test", nil)
		req.Header.Set("Authorization", "Bearer "+h.srv.Token())
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-arrived
	h.stop() // fails the test if Serve returns an error
	var cut, stopped bool
	for _, l := range logs.Lines(t) {
		cut = cut || l["msg"] == "API requests still in flight at the shutdown timeout are cut off"
		stopped = stopped || l["msg"] == "stopped"
	}
	if !cut || !stopped {
		t.Errorf("the log does not say the requests were cut off (%v) and the server stopped (%v)", cut, stopped)
	}
}
