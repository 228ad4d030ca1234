package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/centralhq/central/internal/testlog"
	"github.com/centralhq/central/pkg/api"
)

// serveProcess is `central serve` as its own process, so the test can kill
// it the hard way.
type serveProcess struct {
	cmd *exec.Cmd
	url string
	log testlog.Buffer // its stderr, written while the test may read it
}

func startServe(t *testing.T, dataDir, addr string, extra ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{url: "http://" + addr}
	args := append([]string{"serve", "--addr", addr, "--data-dir", dataDir,
		"--retry-schedule", "50ms,50ms,50ms", "--poll-interval", "20ms", "--log-level", "warn"}, extra...)
	p.cmd = exec.Command("central", args...)
	p.cmd.Env = append(p.cmd.Environ(), "CENTRAL_ADMIN_TOKEN=crash-test-admin-token")
	p.cmd.Stderr = &p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", p.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *serveProcess) call(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.url+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer crash-test-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		_ = json.Unmarshal(data, out)
	}
	return resp.StatusCode
}

// try is call for goroutines: it reports a transport error instead of
// failing the test (the replica may have just been killed).
func (p *serveProcess) try(method, path string, body any) (int, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, p.url+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer crash-test-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// hookEnvironments sends every Environment created to url.
func (p *serveProcess) hookEnvironments(t *testing.T, url string) {
	t.Helper()
	for _, c := range []struct {
		path string
		body any
	}{
		{"/apis/management/v1/integrations", map[string]any{"name": "i"}},
		{"/apis/management/v1/integrations/i/webhooks", map[string]any{"name": "wh", "spec": map[string]any{"url": url, "enabled": true}}},
		{"/apis/management/v1/integrations/i/resourcehooks", map[string]any{"name": "h", "spec": map[string]any{
			"triggers": []map[string]any{{"group": "management", "kind": "Environment", "name": "*", "type": []string{"created"}}},
			"webhooks": []string{"wh"}}}},
	} {
		if st := p.call(t, "POST", c.path, c.body, nil); st != 201 {
			t.Fatalf("POST %s: %d", c.path, st)
		}
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestKillMidDeliveryLosesNothing kills `central serve` with SIGKILL while
// requests are in flight and checks that, after a restart on the same data
// dir, every event reaches the receiver and no delivery is left behind.
func TestKillMidDeliveryLosesNothing(t *testing.T) {
	const events, held = 60, 3 // held stays under the 4 requests a webhook may have in flight
	var mu sync.Mutex
	seen := map[string]int{}
	gate := make(chan struct{})
	inFlight := make(chan struct{}, events*4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev api.Event
		_ = json.NewDecoder(r.Body).Decode(&ev)
		inFlight <- struct{}{}
		<-gate // hold requests until the server has been killed
		mu.Lock()
		seen[ev.ID]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	dataDir, addr := t.TempDir(), freeAddr(t)
	p := startServe(t, dataDir, addr)
	p.hookEnvironments(t, rcv.URL)
	for i := range events {
		if st := p.call(t, "POST", "/apis/management/v1/environments", map[string]any{"name": fmt.Sprint("env-", i)}, nil); st != 201 {
			t.Fatalf("create: %d", st)
		}
	}
	for range held { // requests are in flight at the receiver now
		<-inFlight
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	close(gate) // the held requests finish, but nobody records their outcome

	p = startServe(t, dataDir, addr)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending, succeeded []api.Delivery
		p.call(t, "GET", "/deliveries?status=pending&pageSize=1000", nil, &pending)
		p.call(t, "GET", "/deliveries?status=succeeded&pageSize=1000", nil, &succeeded)
		mu.Lock()
		distinct := len(seen)
		mu.Unlock()
		if len(pending) == 0 && len(succeeded) == events && distinct == events {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d pending, %d succeeded, %d of %d events received; log:\n%s",
				len(pending), len(succeeded), distinct, events, p.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSecondSignalStopsAtOnce interrupts `central serve` twice while a
// webhook request hangs: the first signal waits for it (the shutdown and
// request timeouts are 10 minutes), the second ends the process at once, and the
// delivery is sent again after a restart.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	gate, arrived := make(chan struct{}), make(chan struct{}, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-gate
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	release := sync.OnceFunc(func() { close(gate) })
	defer release() // before rcv.Close, which waits for the handler
	dataDir, addr := t.TempDir(), freeAddr(t)
	p := startServe(t, dataDir, addr, "--shutdown-timeout", "10m", "--request-timeout", "10m")
	p.hookEnvironments(t, rcv.URL)
	if st := p.call(t, "POST", "/apis/management/v1/environments", map[string]any{"name": "e"}, nil); st != 201 {
		t.Fatalf("create: %d", st)
	}
	<-arrived
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// Two signals sent at once may arrive as one, and serve takes a second
	// signal within a second of the first as the same one: wait for the
	// first to take effect, which closes the listener, and for that second
	// to pass, before sending the second.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(p.url + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("serve still answers after an interrupt")
		}
	}
	time.Sleep(1100 * time.Millisecond) // from when serve had the first, at the latest
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("serve still waits for the hanging request after a second interrupt")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(p.log.String(), "stopping now, on a second signal") {
		t.Fatalf("serve ended with %v, want exit status 1 and a line saying why; log:\n%s", err, p.log.String())
	}
	release()

	p = startServe(t, dataDir, addr)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var succeeded []api.Delivery
		p.call(t, "GET", "/deliveries?status=succeeded", nil, &succeeded)
		if len(succeeded) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the delivery cut off by the second interrupt was not sent after the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
