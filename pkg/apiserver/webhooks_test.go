package apiserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/apiserver"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/netguard"
)

// attempts passes on each attempt the dispatcher has recorded.
type attempts chan api.Attempt

func (a attempts) Attempt(_ api.WebhookRef, at api.Attempt, _ api.DeliveryStatus) { a <- at }

// TestWebhookTestOutlivesItsClient: a test attempt runs to the webhook's
// own requestTimeout and is recorded, also when the client stopped waiting
// for it first.
func TestWebhookTestOutlivesItsClient(t *testing.T) {
	reached := make(chan struct{}, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read whole, so that the server sees the sender hang up.
		_, _ = io.Copy(io.Discard, r.Body)
		reached <- struct{}{}
		<-r.Context().Done() // no answer: the sender's requestTimeout ends it
	}))
	t.Cleanup(receiver.Close)
	recorded := make(attempts, 1)
	h := newHarness(t, func(s *apiserver.Server) {
		d := &dispatch.Dispatcher{Store: s.Store, Sender: &dispatch.Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now},
			Defaults: dispatch.DefaultPolicy(), Observer: recorded, Logger: slog.New(slog.DiscardHandler)}
		if err := d.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Stop)
		s.Deliveries = d
	})
	h.must(201, "POST", mgmt+"/integrations", `{"name":"x"}`)
	h.must(201, "POST", mgmt+"/integrations/x/webhooks",
		`{"name":"slow","spec":{"url":"`+receiver.URL+`","delivery":{"requestTimeout":"200ms"}}}`)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url+mgmt+"/integrations/x/webhooks/slow/test", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	sent := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	<-reached
	cancel() // the client gives up while the receiver is still silent
	if err := <-sent; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request: %v, want it cancelled", err)
	}

	select {
	case a := <-recorded:
		if a.Trigger != api.TriggerTest || a.ErrorClass != api.ErrorTimeout {
			t.Errorf("attempt %+v, want a test that timed out", a)
		}
	case <-time.After(30 * time.Second): // a safety net, far beyond 200ms
		t.Fatal("no attempt recorded after the client went away")
	}
	var list []api.Delivery
	if err := json.Unmarshal([]byte(h.must(200, "GET", "/deliveries?webhook=slow&scope=Integration/x", "").body), &list); err != nil ||
		len(list) != 1 || list[0].Attempts != 1 || list[0].Status != api.DeliveryFailed {
		t.Errorf("deliveries %+v (%v), want the failed test", list, err)
	}
}
