package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

// harness is a real server (store, API, dispatcher) on 127.0.0.1 with
// short retry delays, and helpers to talk to it.
type harness struct {
	t    *testing.T
	srv  *server.Server
	stop func() // stops the server and waits for it (also at cleanup)
}

func start(t *testing.T, cfg server.Config) *harness {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.Addr = "127.0.0.1:0"
	if cfg.RetrySchedule == nil {
		cfg.RetrySchedule = []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 10 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	t.Cleanup(stop)
	return &harness{t: t, srv: s, stop: stop}
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (h *harness) do(method, path string, body any, out any) int {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, h.srv.URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+h.srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (h *harness) must(status int, method, path string, body any) {
	h.t.Helper()
	var e api.ErrorResponse
	if got := h.do(method, path, body, &e); got != status {
		h.t.Fatalf("%s %s: %d, want %d: %+v", method, path, got, status, e)
	}
}

const mgmt = "/apis/management/v1"

// integration creates an Integration with a webhook to url and a hook with
// the given triggers.
func (h *harness) integration(name, url string, spec map[string]any, triggers ...api.Trigger) {
	h.t.Helper()
	h.must(201, "POST", mgmt+"/integrations", map[string]any{"name": name})
	if spec == nil {
		spec = map[string]any{}
	}
	spec["url"], spec["enabled"] = url, true
	h.must(201, "POST", mgmt+"/integrations/"+name+"/webhooks", map[string]any{"name": "wh", "spec": spec})
	h.must(201, "POST", mgmt+"/integrations/"+name+"/resourcehooks", map[string]any{"name": "hook",
		"spec": api.ResourceHookSpec{Triggers: triggers, Webhooks: []string{"wh"}}})
}

func allTypes(kind string, scope *api.TriggerScope) api.Trigger {
	return api.Trigger{Group: "management", Kind: kind, Name: "*", Type: []string{"created", "updated", "deleted"}, Scope: scope}
}

// deliveries lists the deliveries, newest first.
func (h *harness) deliveries(query string) []api.Delivery {
	h.t.Helper()
	var out []api.Delivery
	h.do("GET", "/deliveries?pageSize=1000&"+query, nil, &out)
	return out
}

// waitFor polls the delivery log until cond holds; the dispatcher runs in
// its own goroutines, so the log is where its progress shows.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; deliveries: %+v", what, h.deliveries(""))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// receiver is an HTTP receiver on 127.0.0.1 that records what it gets and
// answers with the next status from a script (then 204).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
	headers  map[string]string
	arrived  chan received
}

type received struct {
	header http.Header
	body   []byte
	query  string
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, arrived: make(chan received, 1000)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		rec := received{header: req.Header.Clone(), body: b, query: req.URL.RawQuery}
		r.mu.Lock()
		r.got = append(r.got, rec)
		status := http.StatusNoContent
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		for k, v := range r.headers {
			w.Header().Set(k, v)
		}
		r.mu.Unlock()
		r.arrived <- rec
		w.WriteHeader(status)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(r.Close)
	return r
}

// next waits for the next request.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case rec := <-r.arrived:
		return rec
	case <-time.After(20 * time.Second):
		t.Fatal("the receiver got nothing")
	}
	return received{}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}
