package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

func TestSlowEndpointDoesNotDelayOthers(t *testing.T) {
	h := start(t, server.Config{Workers: 8})
	release := make(chan struct{})
	inSlow := make(chan struct{}, 100)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inSlow <- struct{}{}
		<-release // hold every request until the fast receiver has all its events
	}))
	defer slow.Close()
	defer close(release)
	fast := newReceiver(t)
	h.integration("slow", slow.URL, map[string]any{"delivery": map[string]any{"requestTimeout": "60s"}}, allTypes("Environment", nil))
	h.integration("fast", fast.URL, nil, allTypes("Environment", nil))
	const n = 20
	for i := range n {
		h.must(201, "POST", mgmt+"/environments", map[string]any{"name": fmt.Sprint("e", i)})
	}
	for range n {
		fast.next(t)
	}
	if len(inSlow) > 4 {
		t.Fatalf("the slow endpoint holds %d requests; its limit is 4", len(inSlow))
	}
}

func TestOrderedDelivery(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t, 500, 500) // the first event fails twice before it is accepted
	h.integration("i", rcv.URL, map[string]any{"delivery": map[string]any{"ordered": true}}, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e", "title": "v1"})
	h.must(200, "PUT", mgmt+"/environments/e", map[string]any{"title": "v2"})
	h.must(200, "PUT", mgmt+"/environments/e", map[string]any{"title": "v3"})
	var titles []string
	for range 5 {
		var ev api.Event
		_ = json.Unmarshal(rcv.next(t).body, &ev)
		var r api.ResourceInstance
		_ = json.Unmarshal(ev.Payload, &r)
		titles = append(titles, r.Title)
	}
	if got := strings.Join(titles, ","); got != "v1,v1,v1,v2,v3" {
		t.Fatalf("arrival order %s: a later event overtook an earlier one still retrying", got)
	}
}

// TestOrderedDeliveryGoesOnAtOnce: an ordered webhook's next event about a
// resource is sent as soon as the one before it is done, not at the next
// poll (here an hour away).
func TestOrderedDeliveryGoesOnAtOnce(t *testing.T) {
	h := start(t, server.Config{PollInterval: time.Hour})
	release := make(chan struct{})
	titles := make(chan string, 3)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev api.Event
		_ = json.NewDecoder(r.Body).Decode(&ev)
		var res api.ResourceInstance
		_ = json.Unmarshal(ev.Payload, &res)
		if res.Title == "v1" {
			<-release // the later events are written while this one is out
		}
		titles <- res.Title
	}))
	t.Cleanup(rcv.Close)
	h.integration("i", rcv.URL, map[string]any{"delivery": map[string]any{"ordered": true}}, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e", "title": "v1"})
	h.must(200, "PUT", mgmt+"/environments/e", map[string]any{"title": "v2"})
	h.must(200, "PUT", mgmt+"/environments/e", map[string]any{"title": "v3"})
	close(release)
	for _, want := range []string{"v1", "v2", "v3"} {
		select {
		case got := <-titles:
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not arrive: it waits for a poll", want)
		}
	}
}

func TestAutoDisable(t *testing.T) {
	h := start(t, server.Config{AutoDisableAfter: time.Millisecond, RetrySchedule: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}})
	rcv := newReceiver(t, 500, 500, 500)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	var wh api.ResourceInstance
	// Disabled, and done with its delivery: a retry of it still pending
	// when the user enables the webhook again would be sent, fail, and
	// (after a millisecond) disable it again.
	h.waitFor("the webhook to be disabled", func() bool {
		h.do("GET", mgmt+"/integrations/i/webhooks/wh", nil, &wh)
		return strings.Contains(string(wh.Spec), `"enabled":false`) && len(h.deliveries("status=failed")) == 1
	})
	if !strings.Contains(string(wh.SubResources["status"]), "every attempt has failed since") {
		t.Fatalf("no visible reason: %s", wh.SubResources["status"])
	}
	var evs []api.Event
	h.do("GET", "/events?pageSize=1000", nil, &evs)
	found := false
	for _, ev := range evs {
		found = found || ev.Type == api.SubResourceUpdated && ev.Metadata.Subresource == "status" && strings.Contains(string(ev.Payload), `"name":"wh"`)
	}
	if !found {
		t.Fatal("disabling left no event")
	}
	// the user re-enables it
	h.must(200, "PUT", mgmt+"/integrations/i/webhooks/wh", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": true}})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "f"})
	h.waitFor("a delivery after re-enabling", func() bool { return len(h.deliveries("")) == 2 })
}

// TestEnablingAgainRestartsTheFailureClock: a webhook disabled for failing
// too long and then enabled again is not disabled by its first failure
// after that; the failures from before no longer count. The clock is the
// test's, so that "too long" is an hour and nothing depends on timing.
func TestEnablingAgainRestartsTheFailureClock(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	advance := func(d time.Duration) { now.Add(int64(d)) }
	h := start(t, server.Config{Now: func() time.Time { return time.Unix(0, now.Load()) },
		AutoDisableAfter: time.Hour, RetrySchedule: []time.Duration{time.Minute}})
	rcv, probe := newReceiver(t, 500, 500, 500, 500), newReceiver(t)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.integration("probe", probe.URL, nil, allTypes("Integration", nil))
	enabled := func() bool {
		var wh api.ResourceInstance
		h.do("GET", mgmt+"/integrations/i/webhooks/wh", nil, &wh)
		return strings.Contains(string(wh.Spec), `"enabled":true`)
	}

	// The clock moves only once an attempt is recorded, with its retry
	// due a minute after it, and the dispatcher has judged the webhook's
	// health by it: a delivery queued after that is sent after that.
	probes := 0
	settle := func() {
		probes++
		h.must(201, "POST", mgmt+"/integrations", map[string]any{"name": fmt.Sprint("probe", probes)})
		probe.next(t)
	}
	recorded := func(name string) {
		h.waitFor(name+"'s attempt to be recorded", func() bool {
			for _, d := range h.deliveries("status=pending") {
				if d.Resource.Name == name && d.Attempts == 1 {
					return true
				}
			}
			return false
		})
		settle()
	}

	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	rcv.next(t)
	recorded("e") // failed; its retry is due in a minute
	advance(2 * time.Hour)
	rcv.next(t) // fails again, two hours after the first failure: disabled
	h.waitFor("the webhook to be disabled", func() bool { return !enabled() && len(h.deliveries("status=failed")) == 1 })

	h.must(200, "PUT", mgmt+"/integrations/i/webhooks/wh", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": true}})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "f"})
	rcv.next(t)
	recorded("f") // failed: the clock starts now, not two hours ago
	advance(2 * time.Minute)
	rcv.next(t) // so f's retry is sent, not refused as disabled
	h.waitFor("f to fail for good", func() bool { return len(h.deliveries("status=failed")) == 2 })
	settle()
	if !enabled() {
		t.Fatal("the webhook was disabled again by failures of the last two minutes")
	}
}

func TestSeedHookScenarios(t *testing.T) {
	h := start(t, server.Config{})
	revisions, envs, oneEnv, anyAPIs := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	scope := &api.TriggerScope{Kind: "Environment", Name: "azure"}
	h.integration("revisions", revisions.URL, nil, allTypes("APIServiceRevision", scope))
	h.integration("envs", envs.URL, nil, allTypes("Environment", nil))
	h.integration("one", oneEnv.URL, nil,
		api.Trigger{Group: "management", Kind: "Environment", Name: "azure", Type: []string{"created", "updated", "deleted"}},
		api.Trigger{Group: "management", Kind: "*", Name: "*", Type: []string{"created", "updated", "deleted"}, Scope: scope})
	h.integration("anyapis", anyAPIs.URL, nil, api.Trigger{Group: "*", Kind: "APIService", Name: "*", Type: []string{"created", "updated", "deleted"}, Scope: &api.TriggerScope{Kind: "*", Name: "*"}})

	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "azure"})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "other"})
	h.must(201, "POST", mgmt+"/environments/azure/apiservicerevisions", map[string]any{"name": "r1"})
	h.must(201, "POST", mgmt+"/environments/other/apiservicerevisions", map[string]any{"name": "r2"})
	h.must(201, "POST", mgmt+"/environments/azure/apiservices", map[string]any{"name": "s1"})
	h.must(201, "POST", mgmt+"/environments/other/apiservices", map[string]any{"name": "s2"})
	h.must(200, "PUT", mgmt+"/environments/azure/apiservices/s1/x-compliance", map[string]any{"x-compliance": map[string]bool{"ok": true}})

	h.waitFor("every delivery", func() bool { return len(h.deliveries("status=succeeded")) == 1+2+4+3 })
	names := func(r *receiver) string {
		r.mu.Lock()
		defer r.mu.Unlock()
		var out []string
		for _, g := range r.got {
			var ev api.Event
			_ = json.Unmarshal(g.body, &ev)
			var res api.ResourceInstance
			_ = json.Unmarshal(ev.Payload, &res)
			out = append(out, string(ev.Type)+":"+res.Name)
		}
		sort.Strings(out) // events about different resources may arrive in any order
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		r    *receiver
		want string
	}{
		{revisions, "ResourceCreated:r1"},
		{envs, "ResourceCreated:azure ResourceCreated:other"},
		{oneEnv, "ResourceCreated:azure ResourceCreated:r1 ResourceCreated:s1 SubResourceUpdated:s1"},
		{anyAPIs, "ResourceCreated:s1 ResourceCreated:s2 SubResourceUpdated:s1"},
	} {
		if got := names(tc.r); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestXMLBodyAndTestSend(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL, map[string]any{"headers": map[string]string{"Content-Type": "application/xml"}}, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "prod"})
	got := rcv.next(t)
	body := string(got.body)
	for _, want := range []string{"<event><type>environment</type><action>created</action><object><environment>", "<name>prod</name>"} {
		if !strings.Contains(body, want) {
			t.Fatalf("XML body lacks %q: %s", want, body)
		}
	}
	var d api.Delivery
	if st := h.do("POST", mgmt+"/integrations/i/webhooks/wh/test?eventType=ResourceUpdated", nil, &d); st != 200 {
		t.Fatalf("test send: %d", st)
	}
	if d.Status != api.DeliverySucceeded || len(d.History) != 1 || d.History[0].Trigger != api.TriggerTest || d.EventType != api.ResourceUpdated {
		t.Fatalf("test delivery: %+v", d)
	}
	if !strings.Contains(string(rcv.next(t).body), "<action>updated</action>") {
		t.Fatal("the test event did not arrive")
	}
	var e api.ErrorResponse
	if st := h.do("POST", "/deliveries/"+d.ID+"/retry", nil, &e); st != 400 {
		t.Fatalf("retrying a test send: %d", st)
	}

	// A disabled webhook is tested too: trying it before turning it on is
	// what a test send is for.
	h.must(200, "PUT", mgmt+"/integrations/i/webhooks/wh", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": false}})
	d = api.Delivery{}
	if st := h.do("POST", mgmt+"/integrations/i/webhooks/wh/test?eventType=ResourceCreated", nil, &d); st != 200 || d.Status != api.DeliverySucceeded {
		t.Fatalf("test send to a disabled webhook: %d %+v", st, d)
	}
	rcv.next(t)
}

func TestDeliveryAPI(t *testing.T) {
	h := start(t, server.Config{RetrySchedule: []time.Duration{}})
	rcv := newReceiver(t, 500, 500)
	h.integration("i", rcv.URL, nil, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "a"})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "b"})
	h.waitFor("both to fail", func() bool { return len(h.deliveries("status=failed")) == 2 })
	// One event's deliveries, by the id its receiver got as webhook-id.
	ev := h.deliveries("")[1].EventID
	if got := h.deliveries("eventId=" + url.QueryEscape(ev)); len(got) != 1 || got[0].EventID != ev {
		t.Fatalf("deliveries of event %s: %+v", ev, got)
	}
	if got := h.deliveries("eventId=nosuch"); len(got) != 0 {
		t.Fatalf("deliveries of an unknown event: %+v", got)
	}
	var c api.CountResult
	h.do("POST", "/deliveries/retry?dryRun=true&eventId="+url.QueryEscape(ev), nil, &c)
	if c.Count != 1 {
		t.Fatalf("dry run of a retry of one event's deliveries: %+v", c)
	}
	h.do("POST", "/deliveries/retry?status=failed&scope=Integration/i&webhook=wh&dryRun=true", nil, &c)
	if c.Count != 2 || !c.DryRun || len(h.deliveries("status=failed")) != 2 {
		t.Fatalf("dry run: %+v", c)
	}
	h.do("POST", "/deliveries/retry?status=failed", nil, &c)
	if c.Count != 2 {
		t.Fatalf("retry: %+v", c)
	}
	h.waitFor("the retries to succeed", func() bool { return len(h.deliveries("status=succeeded")) == 2 })
	d := h.deliveries("")[0]
	var full api.Delivery
	h.do("GET", "/deliveries/"+d.ID, nil, &full)
	if len(full.History) != 2 || full.History[1].StatusCode != 204 || full.History[1].Trigger != api.TriggerManual {
		t.Fatalf("history after a manual retry: %+v", full.History)
	}
	var e api.ErrorResponse
	if st := h.do("DELETE", "/deliveries", nil, &e); st != 400 || !strings.Contains(e.Errors[0].Detail, "status=failed") {
		t.Fatalf("purge without status: %d %+v", st, e)
	}
	// A dry run answers the bound of creation times it counted under;
	// sent back, it leaves out what was created since.
	h.do("DELETE", "/deliveries?status=succeeded&dryRun=true", nil, &c)
	if c.Count != 2 || c.Until == nil {
		t.Fatalf("dry run of a purge: %+v", c)
	}
	until := c.Until.String()
	time.Sleep(2 * time.Millisecond) // the bound is in milliseconds
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "c"})
	h.waitFor("the new one to succeed", func() bool { return len(h.deliveries("status=succeeded")) == 3 })
	c = api.CountResult{}
	h.do("DELETE", "/deliveries?status=succeeded&until="+url.QueryEscape(until), nil, &c)
	if c.Count != 2 || c.Until != nil || len(h.deliveries("")) != 1 {
		t.Fatalf("purge up to the dry run's bound: %+v, %d left", c, len(h.deliveries("")))
	}
	h.do("POST", "/deliveries/retry?until="+url.QueryEscape(until)+"&dryRun=true", nil, &c)
	if c.Until == nil || c.Until.String() != until {
		t.Fatalf("a dry run with until answers it: %+v, want %s", c, until)
	}
	// A purge by event takes that event's deliveries alone.
	last := h.deliveries("")[0]
	h.do("DELETE", "/deliveries?status=succeeded&eventId=nosuch", nil, &c)
	if c.Count != 0 || len(h.deliveries("")) != 1 {
		t.Fatalf("purge of another event's deliveries: %+v", c)
	}
	h.do("DELETE", "/deliveries?status=succeeded&eventId="+url.QueryEscape(last.EventID), nil, &c)
	if c.Count != 1 || len(h.deliveries("")) != 0 {
		t.Fatalf("purge: %+v", c)
	}
	for q, want := range map[string]string{"status=nope": "status must be", "webhook=wh": "needs scope", "since=yesterday": "since",
		"eventId=": "eventId is empty"} {
		if st := h.do("GET", "/deliveries?"+q, nil, &e); st != 400 || !strings.Contains(e.Errors[0].Detail, want) {
			t.Errorf("%s: %d %+v", q, st, e)
		}
	}
	if st := h.do("GET", "/deliveries/nosuch", nil, &e); st != 404 {
		t.Errorf("missing delivery: %d", st)
	}
}

func TestHookFilter(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	tr := allTypes("Environment", nil)
	tr.Filter = "payload.spec.production == true"
	h.integration("i", rcv.URL, nil, tr)
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "dev", "spec": map[string]any{"production": false}})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "prod", "spec": map[string]any{"production": true}})
	if !strings.Contains(string(rcv.next(t).body), `"name":"prod"`) {
		t.Fatal("the filter let the wrong event through")
	}
	var e api.ErrorResponse
	bad := allTypes("Environment", nil)
	bad.Filter = "payload.x=="
	if st := h.do("POST", mgmt+"/integrations/i/resourcehooks", map[string]any{"name": "bad", "spec": api.ResourceHookSpec{Triggers: []api.Trigger{bad}, Webhooks: []string{"wh"}}}, &e); st != 400 ||
		!strings.Contains(e.Errors[0].Detail, "trigger 0: filter") {
		t.Fatalf("bad filter: %d %+v", st, e)
	}
	if len(h.deliveries("")) != 1 {
		t.Fatal("the filtered-out event was queued")
	}
}

// TestLimitedWebhookKeepsFlowing drains a backlog to one webhook limited to
// one request at a time: every freed slot must claim the next delivery at
// once, not wait for the poll (set to an hour here).
func TestLimitedWebhookKeepsFlowing(t *testing.T) {
	h := start(t, server.Config{PollInterval: time.Hour})
	rcv := newReceiver(t)
	h.integration("i", rcv.URL, map[string]any{"delivery": map[string]any{"maxInFlight": 1}}, allTypes("Environment", nil))
	for i := range 20 {
		h.must(201, "POST", mgmt+"/environments", map[string]any{"name": fmt.Sprint("e", i)})
	}
	for range 20 {
		rcv.next(t)
	}
}

// TestStopGivesBackClaimedAhead: the deliveries claimed ahead of a
// webhook's one request in flight are given back when the dispatcher
// stops, so that one started again sends them at once instead of after
// their leases expire (minutes).
func TestStopGivesBackClaimedAhead(t *testing.T) {
	h := start(t, server.Config{})
	first := make(chan struct{})
	release := make(chan struct{})
	var arrived atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if arrived.Add(1) == 1 {
			close(first)
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	h.integration("i", rcv.URL, map[string]any{"delivery": map[string]any{"maxInFlight": 1}}, allTypes("Environment", nil))
	for i := range 3 {
		h.must(201, "POST", mgmt+"/environments", map[string]any{"name": fmt.Sprint("e", i)})
	}
	<-first
	h.waitFor("the other two claimed ahead", func() bool {
		return h.srv.Dispatcher.Claimed() == 3
	})
	time.AfterFunc(20*time.Millisecond, func() { close(release) }) // Stop waits for the request in flight
	h.srv.Dispatcher.Stop()
	if err := h.srv.Dispatcher.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.waitFor("every delivery sent", func() bool {
		ds := h.deliveries("")
		return len(ds) == 3 && ds[0].Status == api.DeliverySucceeded && ds[1].Status == api.DeliverySucceeded &&
			ds[2].Status == api.DeliverySucceeded
	})
	if n := arrived.Load(); n != 3 {
		t.Fatalf("%d requests for 3 deliveries", n)
	}
}
