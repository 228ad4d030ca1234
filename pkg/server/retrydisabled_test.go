package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
	"github.com/centralhq/central/pkg/store/postgres/pgtest"
)

// TestRetryLeavesOutDisabledWebhooks: a retry of a delivery whose webhook
// is disabled would fail at once, without a request, and its 410 (why the
// webhook was disabled) would give way to a blank status code. A bulk
// retry leaves such deliveries out, and says how many; one retried by ID
// is refused and left as it was. Enabled again, the webhook's deliveries
// are retried as any others. A deleted webhook's deliveries are left out
// alike (TestRetryLeavesOutDeletedWebhooks), until a webhook of that name
// and scope is made again.
func TestRetryLeavesOutDisabledWebhooks(t *testing.T) {
	inBothStores(t, testRetryLeavesOutDisabledWebhooks)
}

func TestRetryLeavesOutDeletedWebhooks(t *testing.T) {
	inBothStores(t, testRetryLeavesOutDeletedWebhooks)
}

// inBothStores runs test on a server with SQLite, then with PostgreSQL.
func inBothStores(t *testing.T, test func(t *testing.T, cfg server.Config)) {
	t.Run("sqlite", func(t *testing.T) { test(t, server.Config{}) })
	t.Run("postgres", func(t *testing.T) { test(t, server.Config{Store: pgtest.DSN(t)}) })
}

func testRetryLeavesOutDisabledWebhooks(t *testing.T, cfg server.Config) {
	h := start(t, cfg)
	gone, bad := newReceiver(t, http.StatusGone), newReceiver(t, http.StatusBadRequest)
	h.integration("gone", gone.URL, nil, allTypes("Environment", nil))
	h.integration("bad", bad.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	disabled := func() bool {
		var wh api.ResourceInstance
		h.do("GET", mgmt+"/integrations/gone/webhooks/wh", nil, &wh)
		return strings.Contains(string(wh.Spec), `"enabled":false`)
	}
	h.waitFor("both to fail and gone's webhook to be disabled", func() bool {
		return len(h.deliveries("status=failed")) == 2 && disabled()
	})
	goneDelivery := func() api.Delivery {
		t.Helper()
		var full api.Delivery
		h.do("GET", "/deliveries/"+h.deliveries("scope=Integration/gone")[0].ID, nil, &full)
		return full
	}
	before := goneDelivery()
	unchanged := func(when string) {
		t.Helper()
		d := goneDelivery()
		if d.Status != api.DeliveryFailed || d.Attempts != 1 || d.LastStatusCode != http.StatusGone ||
			!d.UpdatedAt.Equal(before.UpdatedAt.Time) || len(d.History) != 1 || gone.count() != 1 {
			t.Fatalf("%s, the disabled webhook's delivery changed: %+v, was %+v (%d requests)", when, d, before, gone.count())
		}
	}

	for q, want := range map[string]api.CountResult{
		"":                                   {Count: 1, Disabled: 1},
		"&scope=Integration/gone":            {Count: 0, Disabled: 1},
		"&scope=Integration/gone&webhook=wh": {Count: 0, Disabled: 1},
		"&scope=Integration/bad":             {Count: 1, Disabled: 0},
	} {
		var c api.CountResult
		h.do("POST", "/deliveries/retry?status=failed&dryRun=true"+q, nil, &c)
		if c.Count != want.Count || c.Disabled != want.Disabled {
			t.Errorf("dry run %q: count %d, disabled %d; want %d, %d", q, c.Count, c.Disabled, want.Count, want.Disabled)
		}
	}

	var e api.ErrorResponse
	if st := h.do("POST", "/deliveries/"+before.ID+"/retry", nil, &e); st != http.StatusConflict {
		t.Fatalf("retry by ID of a disabled webhook's delivery: %d, want 409", st)
	}
	if d := e.Errors[0].Detail; !strings.Contains(d, `"Webhook/wh" in the scope "Integration/gone" is disabled`) ||
		!strings.Contains(d, "spec.enabled to true") || !strings.Contains(d, "central edit webhook wh -s Integration/gone") {
		t.Errorf("409 detail: %s", d)
	}
	unchanged("after a retry by ID")

	var c api.CountResult
	h.do("POST", "/deliveries/retry?status=failed", nil, &c)
	if c.Count != 1 || c.Disabled != 1 || c.DryRun {
		t.Fatalf("bulk retry: %+v, want 1 retried and 1 left out", c)
	}
	h.waitFor("bad's retry to succeed", func() bool { return len(h.deliveries("status=succeeded")) == 1 })
	unchanged("after a bulk retry")

	h.must(200, "PUT", mgmt+"/integrations/gone/webhooks/wh", map[string]any{"spec": map[string]any{"url": gone.URL, "enabled": true}})
	c = api.CountResult{}
	h.do("POST", "/deliveries/retry?status=failed&dryRun=true", nil, &c)
	if c.Count != 1 || c.Disabled != 0 {
		t.Fatalf("dry run once enabled again: %+v", c)
	}
	h.must(200, "POST", "/deliveries/"+before.ID+"/retry", nil)
	h.waitFor("gone's retry to succeed", func() bool { return len(h.deliveries("status=succeeded")) == 2 })
}

func testRetryLeavesOutDeletedWebhooks(t *testing.T, cfg server.Config) {
	h := start(t, cfg)
	// Each fails once, then takes everything.
	bad, ok := newReceiver(t, http.StatusBadRequest), newReceiver(t, http.StatusBadRequest)
	h.integration("x", bad.URL, nil, allTypes("Environment", nil))
	h.integration("y", ok.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	h.waitFor("both to fail", func() bool { return len(h.deliveries("status=failed")) == 2 })
	h.must(204, "DELETE", mgmt+"/integrations/x/webhooks/wh", nil)
	id := h.deliveries("scope=Integration/x")[0].ID
	var before api.Delivery
	h.do("GET", "/deliveries/"+id, nil, &before)
	unchanged := func(when string) {
		t.Helper()
		var d api.Delivery
		h.do("GET", "/deliveries/"+id, nil, &d)
		if d.Status != api.DeliveryFailed || d.Attempts != 1 || d.LastStatusCode != http.StatusBadRequest || !d.UpdatedAt.Equal(before.UpdatedAt.Time) {
			t.Fatalf("%s, the deleted webhook's delivery changed: %+v, was %+v", when, d, before)
		}
	}

	for q, want := range map[string]api.CountResult{
		"":                                {Count: 1, Deleted: 1},
		"&scope=Integration/x":            {Count: 0, Deleted: 1},
		"&scope=Integration/x&webhook=wh": {Count: 0, Deleted: 1},
		"&scope=Integration/y":            {Count: 1, Deleted: 0},
	} {
		var c api.CountResult
		h.do("POST", "/deliveries/retry?status=failed&dryRun=true"+q, nil, &c)
		if c.Count != want.Count || c.Deleted != want.Deleted || c.Disabled != 0 {
			t.Errorf("dry run %q: %+v; want count %d, deleted %d", q, c, want.Count, want.Deleted)
		}
	}
	var e api.ErrorResponse
	if st := h.do("POST", "/deliveries/"+id+"/retry", nil, &e); st != http.StatusConflict ||
		!strings.Contains(e.Errors[0].Detail, `"Webhook/wh" in the scope "Integration/x" was deleted`) {
		t.Fatalf("retry by ID of a deleted webhook's delivery: %d %+v, want 409 saying it was deleted", st, e)
	}
	unchanged("after a retry by ID")
	var c api.CountResult
	h.do("POST", "/deliveries/retry?status=failed", nil, &c)
	if c.Count != 1 || c.Deleted != 1 {
		t.Fatalf("bulk retry: %+v, want 1 retried and 1 left out", c)
	}
	h.waitFor("y's retry to succeed", func() bool { return len(h.deliveries("status=succeeded")) == 1 })
	unchanged("after a bulk retry")

	// Made again, the webhook takes its name's deliveries.
	h.must(201, "POST", mgmt+"/integrations/x/webhooks", map[string]any{"name": "wh", "spec": map[string]any{"url": ok.URL, "enabled": true}})
	h.must(200, "POST", "/deliveries/"+id+"/retry", nil)
	h.waitFor("x's retry to succeed", func() bool { return len(h.deliveries("status=succeeded")) == 2 })
}

// TestDisabledKeepsLastStatusCode: a pending delivery whose webhook is
// turned off fails at its next attempt without a request. It keeps the
// status code of its last request, which says why the webhook went off,
// in both stores.
func TestDisabledKeepsLastStatusCode(t *testing.T) {
	inBothStores(t, func(t *testing.T, cfg server.Config) {
		h := start(t, cfg)
		rcv := newReceiver(t, http.StatusServiceUnavailable)
		spec := map[string]any{"delivery": map[string]any{"retrySchedule": []string{"1s"}}}
		h.integration("x", rcv.URL, spec, allTypes("Environment", nil))
		h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
		h.waitFor("a 503 and a retry due", func() bool {
			ds := h.deliveries("status=pending")
			return len(ds) == 1 && ds[0].Attempts == 1
		})
		h.must(200, "PUT", mgmt+"/integrations/x/webhooks/wh", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": false}})
		h.waitFor("the retry to fail", func() bool { return len(h.deliveries("status=failed")) == 1 })
		var d api.Delivery
		h.do("GET", "/deliveries/"+h.deliveries("status=failed")[0].ID, nil, &d)
		if d.LastStatusCode != http.StatusServiceUnavailable || len(d.History) != 2 || d.History[1].ErrorClass != api.ErrorDisabled || rcv.count() != 1 {
			t.Fatalf("after the webhook was turned off: %+v (%d requests)", d, rcv.count())
		}
	})
}
