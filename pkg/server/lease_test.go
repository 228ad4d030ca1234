package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

// holdingReceiver answers 204 to every request, but holds each one until
// release is closed; it counts the requests that arrived.
func holdingReceiver(t *testing.T) (url string, arrived chan struct{}, release func(), count func() int32) {
	var n atomic.Int32
	arrived, done := make(chan struct{}, 100), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		arrived <- struct{}{}
		<-done
		w.WriteHeader(http.StatusNoContent)
	}))
	var closed atomic.Bool
	release = func() {
		if closed.CompareAndSwap(false, true) {
			close(done)
		}
	}
	t.Cleanup(srv.Close)
	t.Cleanup(release) // before Close: Close waits for the handlers
	return srv.URL, arrived, release, n.Load
}

// Retrying a delivery by id while its request is in flight is refused: it
// used to drop the lease, so the delivery went out twice at once, and on an
// ordered webhook the next event overtook it.
func TestRetryOfADeliveryInFlightIsRefused(t *testing.T) {
	h := start(t, server.Config{})
	url, arrived, release, count := holdingReceiver(t)
	h.integration("i", url, map[string]any{"delivery": map[string]any{"ordered": true}}, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "a"})
	h.must(200, "PUT", mgmt+"/environments/a", map[string]any{"title": "changed"})
	<-arrived
	ds := h.deliveries("")
	first := ds[len(ds)-1] // the oldest: the one in flight
	var e api.ErrorResponse
	if got := h.do("POST", "/deliveries/"+first.ID+"/retry", nil, &e); got != http.StatusConflict {
		t.Fatalf("retry of a delivery in flight: %d, want 409", got)
	}
	if len(e.Errors) == 0 || !strings.Contains(e.Errors[0].Detail, "being sent right now") {
		t.Errorf("409 detail: %+v", e)
	}
	release()
	h.waitFor("both delivered", func() bool { return len(h.deliveries("status=succeeded")) == 2 })
	if n := count(); n != 2 {
		t.Fatalf("the receiver got %d requests for 2 events: a retry in flight sent one again", n)
	}
	h.must(200, "POST", "/deliveries/"+first.ID+"/retry", nil) // done: it may be sent again now
}

// A delivery claimed ahead that waits for its webhook's one request slot
// until its lease has nearly ended is not sent: the store may hand it to
// another claim any moment, and the two would go out twice. It is sent
// once, by the claim after its lease ends. The clock is the test's; the
// lease (Dispatcher.lease) is max(2 × 1s, 60s) + 1s + 5s + 4 × (1s + 1s)
// claimed ahead: 74s.
func TestDeliveryWaitingPastItsLeaseIsNotSentTwice(t *testing.T) {
	var offset atomic.Int64
	advance := func(d time.Duration) { offset.Add(int64(d)) }
	h := start(t, server.Config{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
		RequestTimeout: time.Second, ConnectTimeout: time.Second})
	var n atomic.Int32
	arrived := make(chan struct{}, 10)
	hold := []chan struct{}{make(chan struct{}), make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := int(n.Add(1)); k <= len(hold) {
			arrived <- struct{}{}
			<-hold[k-1]
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	h.integration("i", srv.URL, map[string]any{"delivery": map[string]any{"maxInFlight": 1, "requestTimeout": "60s"}},
		allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "a"})
	<-arrived
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "b"})
	time.Sleep(300 * time.Millisecond) // b is claimed ahead and waits for a's slot
	advance(73 * time.Second)
	close(hold[0])
	time.Sleep(300 * time.Millisecond) // b's turn: its lease nearly over, it is not sent
	advance(2 * time.Second)           // the lease has ended: the next claim takes b
	<-arrived
	close(hold[1])
	h.waitFor("both delivered", func() bool { return len(h.deliveries("status=succeeded")) == 2 })
	time.Sleep(300 * time.Millisecond) // a second copy of b would follow its first
	if got := n.Load(); got != 2 {
		t.Fatalf("the receiver got %d requests for 2 events", got)
	}
	for _, d := range h.deliveries("") {
		if d.Attempts != 1 {
			t.Errorf("delivery of %s: %d attempts, want 1", d.Resource.Name, d.Attempts)
		}
	}
}

// A Webhook's headers, its auth header's name and its timeouts are checked
// when it is saved; a refused one leaves nothing stored.
func TestWebhookSpecIsCheckedWhenSaved(t *testing.T) {
	h := start(t, server.Config{})
	h.must(201, "POST", mgmt+"/integrations", map[string]any{"name": "i"})
	for _, c := range []struct {
		spec    map[string]any
		pointer string
		detail  string
	}{
		{map[string]any{"headers": map[string]any{"X-A": "a\r\nInjected: 1"}}, "/spec/headers/X-A", "control character"},
		{map[string]any{"headers": map[string]any{"a/b": "v"}}, "/spec/headers/a~1b", "not a valid header name"},
		{map[string]any{"headers": map[string]any{"Webhook-Signature": "v1,forged"}}, "/spec/headers/Webhook-Signature", "set by central itself"},
		{map[string]any{"auth": map[string]any{"secret": map[string]any{"name": "s", "key": "k"}, "location": map[string]any{"in": "header", "name": "webhook-id"}}},
			"/spec/auth/location/name", "set by central itself"},
		{map[string]any{"delivery": map[string]any{"requestTimeout": "5m"}}, "/spec/delivery/requestTimeout", `requestTimeout "5m" is longer than 1m0s`},
	} {
		c.spec["url"], c.spec["enabled"] = "http://127.0.0.1:9/hook", true
		var e api.ErrorResponse
		st := h.do("POST", mgmt+"/integrations/i/webhooks", map[string]any{"name": "w", "spec": c.spec}, &e)
		if st != http.StatusBadRequest || len(e.Errors) == 0 || e.Errors[0].Source["pointer"] != c.pointer || !strings.Contains(e.Errors[0].Detail, c.detail) {
			t.Errorf("%v: %d %+v", c.spec, st, e)
		}
	}
	if st := h.do("GET", mgmt+"/integrations/i/webhooks/w", nil, nil); st != http.StatusNotFound {
		t.Fatalf("a refused webhook was stored: %d", st)
	}
}
