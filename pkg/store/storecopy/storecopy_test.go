package storecopy_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
	"github.com/centralhq/central/pkg/store/postgres"
	"github.com/centralhq/central/pkg/store/postgres/pgtest"
	"github.com/centralhq/central/pkg/store/sqlite"
	"github.com/centralhq/central/pkg/store/storecopy"
)

func serve(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	cfg.Addr, cfg.PollInterval = "127.0.0.1:0", 10*time.Millisecond
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, stop := context.WithCancel(context.Background())
	s, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	return s
}

func call(t *testing.T, s *server.Server, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSQLiteToPostgres fills an embedded store through a real server
// (resources and deliveries still retrying), copies it into PostgreSQL,
// starts a server there, and checks that nothing was lost or duplicated
// and that the pending work completes under the same ids.
func TestSQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	var up atomic.Bool
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	dir := t.TempDir()
	src := serve(t, server.Config{DataDir: dir, RetrySchedule: []time.Duration{10 * time.Millisecond, time.Hour}})
	for _, c := range [][2]string{
		{"/apis/management/v1/integrations", `{"name":"i"}`},
		{"/apis/management/v1/integrations/i/webhooks", `{"name":"w","spec":{"url":"` + rcv.URL + `","enabled":true}}`},
		{"/apis/management/v1/integrations/i/resourcehooks", `{"name":"h","spec":{"triggers":[{"group":"management","kind":"Environment","name":"*","type":["created"]}],"webhooks":["w"]}}`},
		{"/apis/management/v1/environments", `{"name":"a"}`},
		{"/apis/management/v1/environments", `{"name":"b"}`},
	} {
		if st := call(t, src, "POST", c[0], c[1], nil); st != 201 {
			t.Fatalf("POST %s: %d", c[0], st)
		}
	}
	var pending []api.Delivery
	waitFor(t, "two failed attempts each", func() bool {
		call(t, src, "GET", "/deliveries?status=pending", "", &pending)
		return len(pending) == 2 && pending[0].Attempts == 2 && pending[1].Attempts == 2
	})
	org := src.API.Org
	src.Dispatcher.Stop() // nothing may write the source during the copy

	from, err := sqlite.Open(ctx, filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	to, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close()
	sum, err := storecopy.Copy(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Org != org || sum.Resources != 5 || sum.Deliveries != 2 || sum.Pending != 2 || sum.Events != 5 || sum.LastSequence != 5 {
		t.Fatalf("summary: %+v", sum)
	}
	if _, err := storecopy.Copy(ctx, from, to); err == nil || !strings.Contains(err.Error(), "already belongs") {
		t.Fatalf("a second copy into the same database: %v", err)
	}

	// a server on the copy serves the same data and finishes the pending
	// work under the same delivery ids
	up.Store(true)
	dst := serve(t, server.Config{DataDir: t.TempDir(), Store: dsn, AdminToken: "copy-token"})
	if dst.API.Org != org {
		t.Fatalf("the copy serves organization %s, not %s", dst.API.Org, org)
	}
	var envs []api.ResourceInstance
	call(t, dst, "GET", "/apis/management/v1/environments", "", &envs)
	if len(envs) != 2 || envs[0].Name != "a" {
		t.Fatalf("environments in the copy: %+v", envs)
	}
	for _, d := range pending {
		if st := call(t, dst, "POST", "/deliveries/"+d.ID+"/retry", "", nil); st != 200 {
			t.Fatalf("retry %s in the copy: %d", d.ID, st)
		}
	}
	waitFor(t, "the copied deliveries to complete", func() bool {
		var ok []api.Delivery
		call(t, dst, "GET", "/deliveries?status=succeeded", "", &ok)
		return len(ok) == 2 && ok[0].Attempts == 3
	})
	// new ids continue after the copied ones: no event is numbered twice
	if st := call(t, dst, "POST", "/apis/management/v1/environments", `{"name":"c"}`, nil); st != 201 {
		t.Fatalf("create in the copy: %d", st)
	}
	var evs []api.Event
	call(t, dst, "GET", "/events?query=sequenceID>5", "", &evs)
	if len(evs) != 1 || evs[0].Metadata.SequenceID != 6 {
		t.Fatalf("the next event after the copy: %+v", evs)
	}
}
