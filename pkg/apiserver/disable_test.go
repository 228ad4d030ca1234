package apiserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// TestDisableWebhookOnlyWhileStillFailing: the dispatcher turns a webhook
// off for a run of failures it read before the disabling transaction; a
// webhook whose health no longer shows that run (it succeeded or was
// enabled again since; here it has no failures at all) stays on. A 410
// names no run, and turns it off.
func TestDisableWebhookOnlyWhileStillFailing(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/integrations", `{"name":"i"}`)
	h.must(201, "POST", mgmt+"/integrations/i/webhooks", `{"name":"wh","spec":{"url":"https://example.com/hook","enabled":true}}`)
	wh := api.WebhookRef{Name: "wh", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	spec := func() string {
		return string(h.must(200, "GET", mgmt+"/integrations/i/webhooks/wh", "").resource(t).Spec)
	}

	if off, err := h.srv.DisableWebhook(ctx, wh, "every attempt has failed since an hour ago", time.Now().Add(-time.Hour)); off || err != nil {
		t.Fatalf("disabled: %v %v", off, err)
	}
	if !strings.Contains(spec(), `"enabled":true`) {
		t.Fatalf("disabled for a run of failures its health does not show: %s", spec())
	}
	if off, err := h.srv.DisableWebhook(ctx, wh, "the receiver answered 410 Gone", time.Time{}); !off || err != nil {
		t.Fatalf("disabled: %v %v", off, err)
	}
	if !strings.Contains(spec(), `"enabled":false`) {
		t.Fatalf("a 410 did not disable it: %s", spec())
	}
	// Its two events (the spec, the status) share a correlation id of
	// their own, as a request's events do.
	var evs []api.Event
	if err := json.Unmarshal([]byte(h.must(200, "GET", "/events?query=sequenceID>2", "").body), &evs); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].CorrelationID == "" || evs[1].CorrelationID != evs[0].CorrelationID {
		t.Fatalf("the disabling's events: %+v", evs)
	}
	if off, err := h.srv.DisableWebhook(ctx, wh, "the receiver answered 410 Gone", time.Time{}); off || err != nil {
		t.Fatalf("disabled again: %v %v", off, err)
	}
}

// TestEnableClearsDisabledStatus: a webhook turned back on no longer has a
// status saying the dispatcher turned it off; other reasons stay.
func TestEnableClearsDisabledStatus(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/integrations", `{"name":"i"}`)
	const path = mgmt + "/integrations/i/webhooks/wh"
	const on = `{"name":"wh","spec":{"url":"https://example.com/hook","enabled":true}}`
	h.must(201, "POST", mgmt+"/integrations/i/webhooks", on)
	wh := api.WebhookRef{Name: "wh", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	disable := func() {
		t.Helper()
		if off, err := h.srv.DisableWebhook(ctx, wh, "the receiver answered 410 Gone", time.Time{}); !off || err != nil {
			t.Fatalf("disabled: %v %v", off, err)
		}
	}

	disable()
	h.must(200, "PUT", path, on)
	if got := h.must(200, "GET", path, "").resource(t); got.SubResources["status"] != nil {
		t.Fatalf("enabled again, still with its status: %s", got.SubResources["status"])
	}

	disable()
	st := h.must(200, "GET", path, "").resource(t).SubResources["status"]
	withOther := strings.Replace(string(st), `"reasons":[`, `"note":"kept","reasons":[{"type":"Checked","detail":"by hand","timestamp":"2026-01-01T00:00:00.000+0000"},`, 1)
	h.must(200, "PUT", path+"/status", `{"status":`+withOther+`}`)
	h.must(200, "PUT", path, on)
	got := string(h.must(200, "GET", path, "").resource(t).SubResources["status"])
	if strings.Contains(got, "Disabled") || !strings.Contains(got, "Checked") || !strings.Contains(got, `"note":"kept"`) {
		t.Fatalf("enabled again: status %s, want the Checked reason alone and the note kept", got)
	}
}
