package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/server"
	"github.com/centralhq/central/pkg/store/postgres/pgtest"
)

// TestWebhookLimitHoldsAcrossReplicas runs two servers on one PostgreSQL
// schema and a webhook with maxInFlight 2 whose receiver holds every
// request: however the replicas share the work, the receiver never has
// more than two requests at once.
func TestWebhookLimitHoldsAcrossReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	var mu sync.Mutex
	inFlight, peak := 0, 0
	arrived := make(chan struct{}, 100)
	release := make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		arrived <- struct{}{}
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	defer close(release)

	cfg := server.Config{Store: dsn, AdminToken: "shared", Workers: 8}
	a := start(t, cfg)
	b := start(t, cfg)
	a.integration("i", rcv.URL, map[string]any{"delivery": map[string]any{"maxInFlight": 2, "requestTimeout": "60s"}}, allTypes("Environment", nil))
	for i := range 10 { // half through each replica
		h := []*harness{a, b}[i%2]
		h.must(201, "POST", mgmt+"/environments", map[string]any{"name": fmt.Sprint("e", i)})
	}
	// two arrive; give both replicas every chance to send a third
	<-arrived
	<-arrived
	select {
	case <-arrived:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("a third request arrived while two were in flight (peak %d)", peak)
	case <-time.After(500 * time.Millisecond):
	}
}

// TestSaturatedWebhookDoesNotHideOthersAcrossReplicas: a webhook whose
// limit is taken by both replicas' requests together is full for neither
// alone, and its backlog filled every claim's window, so no other webhook's
// delivery was ever claimed. The second webhook's event must still arrive.
func TestSaturatedWebhookDoesNotHideOthersAcrossReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	defer slow.Close()
	defer close(release)
	fast := newReceiver(t)
	cfg := server.Config{Store: dsn, AdminToken: "shared", Workers: 3}
	a, b := start(t, cfg), start(t, cfg)
	a.integration("slow", slow.URL, map[string]any{"delivery": map[string]any{"maxInFlight": 4, "requestTimeout": "60s"}},
		allTypes("Environment", nil))
	for i := range 200 {
		[]*harness{a, b}[i%2].must(201, "POST", mgmt+"/environments", map[string]any{"name": fmt.Sprint("e", i)})
	}
	a.integration("fast", fast.URL, nil, allTypes("Integration", nil))
	b.must(201, "POST", mgmt+"/integrations", map[string]any{"name": "probe"})
	fast.next(t)
}
