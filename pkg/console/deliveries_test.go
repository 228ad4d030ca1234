package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// A webhook whose every attempt failed is not shown as neutral while its
// retries are pending; its last error says when, and a retry whose time has
// come reads "due now".
func TestPendingRetriesWarn(t *testing.T) {
	var mu sync.Mutex
	var ahead time.Duration
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(ahead) }
	e := newEnv(t, func(c *envConfig) {
		c.server.RetrySchedule = []time.Duration{time.Hour}
		c.console.Now = clock
	})
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("a failed attempt", func() bool {
		d := e.deliveries("status=pending")
		return len(d) == 1 && d[0].Attempts == 1
	})
	id := e.deliveries("")[0].ID
	u := e.user()
	u.login(e.srv.Token())

	p := u.get("/console/webhooks")
	contains(t, p, `<span class="badge warn">1 pending</span>`, `<span class="sub err">Last error: the receiver answered 500 Internal Server Error (<time datetime="`,
		` UTC">a few seconds ago</time>)</span>`)
	contains(t, u.get("/console/webhooks/Integration/monitor/jira"), `<span class="badge warn">1 pending</span>`)
	contains(t, u.get("/console/deliveries/"+id), "next try <time", ">due in an hour</time>")

	mu.Lock()
	ahead = 2 * time.Hour
	mu.Unlock()
	p = u.get("/console/deliveries")
	contains(t, p, ">due now</time>")
	if strings.Contains(p.body, "ago</time></span>") {
		t.Errorf("a next try in the past reads as gone by:\n%s", p.body)
	}
}

// An ordered webhook's deliveries that wait behind a retry of the same
// resource say so and link it, instead of a time to send that has passed.
func TestHeldDeliveriesNameTheirHead(t *testing.T) {
	e := newEnv(t, func(c *envConfig) { c.server.RetrySchedule = []time.Duration{time.Hour} })
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("PUT", mgmt+"/integrations/monitor/webhooks/jira", map[string]any{"name": "jira",
		"spec": map[string]any{"url": rcv.URL, "enabled": true, "delivery": map[string]any{"ordered": true}}})
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("a failed attempt", func() bool {
		d := e.deliveries("status=pending")
		return len(d) == 1 && d[0].Attempts == 1
	})
	head := e.deliveries("")[0].ID
	e.must("PUT", mgmt+"/environments/a", map[string]any{"name": "a", "title": "A"})
	held := e.deliveries("eventType=ResourceUpdated")
	if len(held) != 1 || held[0].HeldBy != head {
		t.Fatalf("the update's delivery: %+v, want it held by %s", held, head)
	}
	u := e.user()
	u.login(e.srv.Token())
	want := `<span class="sub">held behind <a href="/console/deliveries/` + head + `" class="id">` + head + `</a>, an earlier delivery of the same resource (ordered)</span>`
	contains(t, u.get("/console/deliveries"), want)
	p := u.get("/console/deliveries/" + held[0].ID)
	contains(t, p, want)
	if strings.Contains(p.body, "next try") {
		t.Errorf("a held delivery shows a time to send:\n%s", p.body)
	}
}

// Deliveries to a deleted webhook name it without a link that would 404,
// and a filter to it survives filtering again.
func TestDeletedWebhookNotLinked(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) == 1 })
	id := e.deliveries("")[0].ID
	e.must("DELETE", mgmt+"/integrations/monitor/webhooks/jira", nil)
	u := e.user()
	u.login(e.srv.Token())

	const link = `href="/console/webhooks/Integration/monitor/jira"`
	for _, path := range []string{"/console/deliveries", "/console/deliveries/" + id,
		"/console/deliveries?webhook=Integration%2Fmonitor%2Fjira"} {
		p := u.get(path)
		contains(t, p, id, `Integration/monitor/jira <span class="sub">(deleted)</span>`)
		if strings.Contains(p.body, link) {
			t.Errorf("GET %s links the deleted webhook:\n%s", path, p.body)
		}
	}
	p := u.get("/console/deliveries?webhook=Integration%2Fmonitor%2Fjira")
	contains(t, p, `<option value="Integration/monitor/jira" selected>Integration/monitor/jira (deleted)</option>`)
	if strings.Contains(p.body, `<option value="" selected>All webhooks</option>`) {
		t.Error("the filter to a deleted webhook shows All webhooks")
	}
	p = u.get("/console/deliveries/" + id)
	contains(t, p, "Its webhook was deleted")
	if strings.Contains(p.body, "Retry now") {
		t.Error("Retry now is offered for a deleted webhook")
	}
}

// A delivery of a disabled webhook offers no retry but a way to enable it;
// a retry from a page opened before it was disabled comes back to the
// delivery with the API's reason.
func TestRetryOfDisabledWebhook(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) == 1 })
	id := e.deliveries("")[0].ID
	e.must("PUT", mgmt+"/integrations/monitor/webhooks/jira", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": false}})
	u := e.user()
	u.login(e.srv.Token())

	p := u.get("/console/deliveries/" + id)
	contains(t, p, "Its webhook is disabled", `<a href="/console/webhooks/Integration/monitor/jira">Enable Integration/monitor/jira</a>`)
	if strings.Contains(p.body, "Retry now") || strings.Contains(p.body, `/retry"`) {
		t.Errorf("a retry is offered for a disabled webhook:\n%s", p.body)
	}
	stale := u.post("/console/deliveries/"+id, "/console/deliveries/"+id+"/retry", nil)
	if stale.status != http.StatusSeeOther || stale.location != "/console/deliveries/"+id {
		t.Fatalf("retry of a disabled webhook's delivery: %d %q %s", stale.status, stale.location, stale.body)
	}
	contains(t, u.follow(stale), "The delivery was not sent again:", "is disabled", "Enable Integration/monitor/jira")
}

// The delivery log's filter goes to the bulk confirmation and comes back
// whole, by Cancel and after the action.
func TestBulkKeepsFilter(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) == 1 })
	u := e.user()
	u.login(e.srv.Token())

	list := "/console/deliveries?since=1h&status=failed&webhook=Integration%2Fmonitor%2Fjira"
	contains(t, u.get(list), `<input type="hidden" name="status" value="failed">`)
	for _, verb := range []string{"retry", "purge"} {
		// The retry fails again, leaving one to purge.
		e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) == 1 })
		p := u.get("/console/deliveries/" + verb + "?webhook=Integration%2Fmonitor%2Fjira&status=failed&since=1h")
		contains(t, p, `<a href="`+html.EscapeString(list)+`">Cancel</a>`, `<input type="hidden" name="return" value="`+html.EscapeString(list)+`">`)
		form := url.Values{}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`).FindAllStringSubmatch(p.body, -1) {
			if m[1] != "csrf" {
				form.Set(m[1], html.UnescapeString(m[2]))
			}
		}
		done := u.post("/console/deliveries", "/console/deliveries/"+verb, form)
		if done.status != http.StatusSeeOther || done.location != list {
			t.Errorf("after %s: %d %q, want back to %q", verb, done.status, done.location, list)
		}
	}
}

// A page past the end of the log says so, rather than that nothing matches.
func TestDeliveryPagePastTheEnd(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status="+string(api.DeliveryFailed))) == 1 })
	u := e.user()
	u.login(e.srv.Token())

	p := u.get("/console/deliveries?page=999")
	contains(t, p, "Page 999 is past the end: there is 1 page of 1 delivery.", `<a href="/console/deliveries">Go to page 1</a>`)
	if strings.Contains(p.body, "No deliveries match") {
		t.Error("a page past the end says no deliveries match")
	}
	contains(t, u.get("/console/deliveries?status=failed&page=999"), `<a href="/console/deliveries?status=failed">Go to page 1</a>`)
	contains(t, u.get("/console/deliveries?status=succeeded&page=999"), "No deliveries match.")
}
