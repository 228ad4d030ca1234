package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store/postgres/pgtest"
)

// countingReceiver records every event it gets and notices the same event
// arriving while an earlier copy is still being answered: that would mean
// two replicas hold one delivery at once.
type countingReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      map[string]int
	inFlight map[string]bool
	overlaps atomic.Int64
}

func newCountingReceiver(t *testing.T) *countingReceiver {
	r := &countingReceiver{got: map[string]int{}, inFlight: map[string]bool{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ev api.Event
		_ = json.NewDecoder(req.Body).Decode(&ev)
		r.mu.Lock()
		if r.inFlight[ev.ID] {
			r.overlaps.Add(1)
		}
		r.inFlight[ev.ID] = true
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		r.mu.Lock()
		delete(r.inFlight, ev.ID)
		r.got[ev.ID]++
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *countingReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func TestReplicasShareTheWork(t *testing.T) {
	dsn := pgtest.DSN(t)
	const events = 1000
	rcvs := []*countingReceiver{newCountingReceiver(t), newCountingReceiver(t), newCountingReceiver(t)}
	flags := []string{"--store", dsn, "--org-id", "424242", "--request-timeout", "1s", "--connect-timeout", "1s"}
	var replicas []*serveProcess
	for range 3 {
		replicas = append(replicas, startServe(t, t.TempDir(), freeAddr(t), flags...))
	}
	a, b, c := replicas[0], replicas[1], replicas[2]

	// the hook and its webhooks are made through replica a
	must := func(p *serveProcess, path string, body any) {
		if st := p.call(t, "POST", path, body, nil); st != 201 {
			t.Fatalf("POST %s through %s: %d", path, p.url, st)
		}
	}
	must(a, "/apis/management/v1/integrations", map[string]any{"name": "i"})
	var names []string
	for i, r := range rcvs {
		name := fmt.Sprint("wh", i)
		names = append(names, name)
		must(a, "/apis/management/v1/integrations/i/webhooks", map[string]any{"name": name, "spec": map[string]any{"url": r.URL, "enabled": true}})
	}
	must(a, "/apis/management/v1/integrations/i/resourcehooks", map[string]any{"name": "h", "spec": map[string]any{
		"triggers": []map[string]any{{"group": "management", "kind": "Environment", "name": "*", "type": []string{"created"}}},
		"webhooks": names}})

	// the changes go through replicas b and c, eight at a time; once c is
	// killed, its share goes to b (a create whose answer was lost with c
	// may have committed: 409 on the retry means it did)
	var cDead atomic.Bool
	create := func(i int) {
		body := map[string]any{"name": fmt.Sprint("env-", i)}
		for {
			p := b
			if i%2 == 1 && !cDead.Load() {
				p = c
			}
			st, err := p.try("POST", "/apis/management/v1/environments", body)
			if err == nil && (st == 201 || st == 409) {
				return
			}
			if err == nil || p == b {
				t.Errorf("create env-%d through %s: %d %v", i, p.url, st, err)
				return
			}
		}
	}
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				create(i)
			}
		}()
	}
	for i := range events {
		jobs <- i
		if i == events/2 {
			// replica c dies mid-run, with whatever it had claimed
			if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cDead.Store(true)
		}
	}
	close(jobs)
	wg.Wait()
	_ = c.cmd.Wait()

	// c's leases end about 68 s after its last claim (a lease covers the
	// longest request a webhook may ask for); the rest is margin for a
	// loaded CI machine, where 90 s once fell short.
	deadline := time.Now().Add(150 * time.Second)
	for {
		done := true
		for _, r := range rcvs {
			done = done && r.distinct() >= events
		}
		var pending []api.Delivery
		a.call(t, "GET", "/deliveries?status=pending&pageSize=10", nil, &pending)
		if done && len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unfinished: received %d/%d/%d of %d events, %d pending; replica a's log:\n%s",
				rcvs[0].distinct(), rcvs[1].distinct(), rcvs[2].distinct(), events, len(pending), a.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, r := range rcvs {
		if n := r.overlaps.Load(); n != 0 {
			t.Errorf("receiver %d saw %d deliveries in flight twice at once", i, n)
		}
	}
}

// TestStoreCopyCommand moves a personal server to PostgreSQL the documented
// way: stop it, "central store copy", start it on the database.
func TestStoreCopyCommand(t *testing.T) {
	dsn := pgtest.DSN(t)
	dataDir, addr := t.TempDir(), freeAddr(t)
	p := startServe(t, dataDir, addr)
	if st := p.call(t, "POST", "/apis/management/v1/environments", map[string]any{"name": "kept"}, nil); st != 201 {
		t.Fatalf("create: %d", st)
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	_ = p.cmd.Wait()

	out, err := exec.Command("central", "store", "copy", "--from", dataDir, "--to", dsn).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "✔ Copied organization") || !strings.Contains(string(out), "1 resources") {
		t.Fatalf("store copy: %v\n%s", err, out)
	}
	out, err = exec.Command("central", "store", "copy", "--from", dataDir, "--to", dsn).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already belongs to organization") {
		t.Fatalf("a second copy: %v\n%s", err, out)
	}

	p = startServe(t, t.TempDir(), freeAddr(t), "--store", dsn)
	var env api.ResourceInstance
	if st := p.call(t, "GET", "/apis/management/v1/environments/kept", nil, &env); st != 200 || env.Name != "kept" {
		t.Fatalf("the copied environment: %d %+v", st, env)
	}
}
