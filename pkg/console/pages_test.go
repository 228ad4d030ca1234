package console_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

func webhookEnabled(t *testing.T, e *env, integration, name string) bool {
	t.Helper()
	r, err := e.api.Get(context.Background(), client.Path{Group: "management", Version: "v1",
		ScopePlural: "integrations", ScopeName: integration, Plural: "webhooks", Name: name})
	if err != nil {
		t.Fatal(err)
	}
	var spec api.WebhookSpec
	_ = r.DecodeSpec(&spec)
	return spec.Enabled
}

// monitored sets up an Integration "monitor" with webhook "jira" at url and
// a ResourceHook sending it every Environment change.
func monitored(e *env, url string) {
	e.t.Helper()
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	e.must("POST", mgmt+"/integrations/monitor/webhooks", map[string]any{"name": "jira", "title": "Jira bridge",
		"spec": map[string]any{"url": url, "enabled": true, "headers": map[string]string{"X-Team": "ops"}}})
	e.must("POST", mgmt+"/integrations/monitor/resourcehooks", map[string]any{"name": "envs",
		"spec": api.ResourceHookSpec{Webhooks: []string{"jira"}, Triggers: []api.Trigger{
			{Group: "management", Kind: "Environment", Name: "*", Type: []string{"created", "updated", "deleted"}}}}})
}

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL+"/hook")
	e.must("POST", mgmt+"/environments", map[string]any{"name": "staging", "title": "Staging"})
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) == 1 })
	dlv := e.deliveries("")[0]

	u := e.user()
	u.login(e.srv.Token())

	t.Run("webhooks", func(t *testing.T) {
		p := u.get("/console/webhooks")
		contains(t, p, `<a href="/console/webhooks/Integration/monitor/jira">jira</a>`, "Jira bridge", "Integration/monitor",
			rcv.URL+"/hook", "Enabled", "Failing: 0 of 1 delivered", "Last error:", `<th scope="col">Health</th>`,
			`<a class="skip" href="#main">`)
		if p := u.get("/console/webhooks?q=JIRA"); !strings.Contains(p.body, "jira</a>") {
			t.Error("search by title, any case, finds nothing")
		}
		if p := u.get("/console/webhooks?q=nothing-like-it"); strings.Contains(p.body, "jira</a>") || !strings.Contains(p.body, "No webhook") {
			t.Error("search does not filter")
		}
	})
	t.Run("webhook", func(t *testing.T) {
		p := u.get("/console/webhooks/Integration/monitor/jira")
		contains(t, p, "<h1>Webhook jira</h1>", "X-Team: ops", "ResourceHooks that send to it",
			`<a href="/console/resources/management/resourcehooks/envs?scope=Integration%2Fmonitor">envs</a>`,
			"<code>Environment:created,updated,deleted</code>", "Send test event", "Add signing secret", dlv.ID)
		if p := u.get("/console/webhooks/Integration/monitor/nosuch"); p.status != 404 || !strings.Contains(p.body, "nosuch") {
			t.Errorf("a missing webhook: %d %s", p.status, p.body)
		}
	})
	t.Run("deliveries", func(t *testing.T) {
		p := u.get("/console/deliveries")
		contains(t, p, dlv.ID, "failed", "ResourceCreated", "Environment/staging", "Integration/monitor/jira")
		p = u.get("/console/deliveries?webhook=Integration/monitor/jira&status=failed&since=1h")
		contains(t, p, dlv.ID, `<option value="Integration/monitor/jira" selected>`)
		p = u.get("/console/deliveries?status=succeeded")
		if strings.Contains(p.body, dlv.ID) {
			t.Error("the status filter does not filter")
		}
		if p := u.get("/console/deliveries?status=bogus"); p.status != 400 {
			t.Errorf("a bad filter: %d", p.status)
		}
	})
	t.Run("delivery", func(t *testing.T) {
		p := u.get("/console/deliveries/" + dlv.ID)
		contains(t, p, "Attempt 1", "HTTP 500", "receiver says no", "Retry now", "ms")
		p = u.get("/console/deliveries/dlv_nosuch")
		if p.status != 404 || !strings.Contains(p.body, "dlv_nosuch") {
			t.Errorf("a missing delivery: %d %s", p.status, p.body)
		}
	})
	t.Run("resources", func(t *testing.T) {
		p := u.get("/console/resources")
		contains(t, p, `<a href="/console/resources/management/webhooks">Webhook</a>`, "Environment, Integration")
		p = u.get("/console/resources/management/environments")
		contains(t, p, `<a href="/console/resources/management/environments/staging">staging</a>`, "Staging", "<th scope=\"col\">Name</th>")
		p = u.get("/console/resources/management/webhooks?scope=Integration/monitor")
		contains(t, p, "jira", `<option value="Integration/monitor" selected>`)
		p = u.get("/console/resources/management/environments/staging")
		contains(t, p, "<h1>Environment staging</h1>", "kind: Environment", "name: staging", "ResourceCreated")
		p = u.get("/console/resources/management/webhooks/jira?scope=Integration/monitor")
		contains(t, p, "url: "+rcv.URL+"/hook", "ResourceCreated")
		if strings.Contains(p.body, "Environment/staging") {
			t.Error("the webhook's events include another resource's")
		}
		if p := u.get("/console/resources/management/nosuch"); p.status != 404 {
			t.Errorf("a missing kind: %d", p.status)
		}
	})
}

func TestWebhookForms(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusNoContent)
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	e.must("POST", mgmt+"/environments", map[string]any{"name": "prod"})
	u := e.user()
	u.login(e.srv.Token())

	p := u.get("/console/webhooks/new")
	contains(t, p, `<option value="Integration/monitor">`, `<option value="Environment/prod">`, `<label for="url">URL</label>`)

	// The API's refusal shows on the form, with what was typed kept.
	bad := u.post("/console/webhooks/new", "/console/webhooks", url.Values{"scope": {"Integration/monitor"},
		"name": {"Bad_Name"}, "url": {rcv.URL}, "enabled": {"true"}})
	if bad.status != http.StatusBadRequest {
		t.Fatalf("bad name: %d", bad.status)
	}
	contains(t, bad, "Invalid name", `value="Bad_Name"`, `aria-invalid="true"`)
	if strings.Contains(bad.body, "goroutine") || strings.Contains(bad.body, ".go:") {
		t.Fatal("an error page shows a stack trace")
	}
	bad = u.post("/console/webhooks/new", "/console/webhooks", url.Values{"scope": {"Integration/monitor"},
		"name": {"hook"}, "url": {rcv.URL}, "headers": {"no colon here"}})
	contains(t, bad, "Check the headers", "line 1")

	made := u.post("/console/webhooks/new", "/console/webhooks", url.Values{"scope": {"Integration/monitor"},
		"name": {"hook"}, "title": {"My hook"}, "url": {rcv.URL + "/in"}, "headers": {"X-A: 1\nX-B: two words"}, "enabled": {"true"}})
	if made.status != http.StatusSeeOther || made.location != "/console/webhooks/Integration/monitor/hook" {
		t.Fatalf("create: %d %q %s", made.status, made.location, made.body)
	}
	contains(t, u.follow(made), "Webhook hook created.", "X-B: two words", rcv.URL+"/in")
	if !webhookEnabled(t, e, "monitor", "hook") {
		t.Fatal("created disabled")
	}

	// Edit keeps what the form does not show (signing), changes the rest.
	rot := u.post("/console/webhooks/Integration/monitor/hook", "/console/webhooks/Integration/monitor/hook/rotatesecret", url.Values{"overlap": {"24h"}})
	if rot.status != 200 || !regexp.MustCompile(`value="whsec_[^"]+"`).MatchString(rot.body) {
		t.Fatalf("rotate: %d %s", rot.status, rot.body)
	}
	contains(t, rot, "the console shows it only on this page")
	if rot.resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the secret page may be cached")
	}
	again := u.post("/console/webhooks/Integration/monitor/hook", "/console/webhooks/Integration/monitor/hook/rotatesecret", url.Values{"overlap": {"24h"}})
	contains(t, again, "The previous secret keeps signing until")

	edit := u.get("/console/webhooks/Integration/monitor/hook/edit")
	contains(t, edit, `value="`+rcv.URL+`/in"`, "X-A: 1")
	rv := regexp.MustCompile(`name="resourceVersion" value="(\d+)"`).FindStringSubmatch(edit.body)
	if rv == nil {
		t.Fatal("no resourceVersion in the edit form")
	}
	saved := u.post("/console/webhooks/Integration/monitor/hook/edit", "/console/webhooks/Integration/monitor/hook/edit",
		url.Values{"url": {rcv.URL + "/v2"}, "headers": {""}, "resourceVersion": {rv[1]}})
	if saved.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", saved.status, saved.body)
	}
	r, err := e.api.Get(context.Background(), client.Path{Group: "management", Version: "v1", ScopePlural: "integrations", ScopeName: "monitor", Plural: "webhooks", Name: "hook"})
	if err != nil {
		t.Fatal(err)
	}
	var spec api.WebhookSpec
	_ = r.DecodeSpec(&spec)
	if spec.URL != rcv.URL+"/v2" || spec.Enabled || len(spec.Headers) != 0 || spec.Signing == nil || spec.Signing.Secret != "hook-signing" {
		t.Fatalf("after edit: %+v", spec)
	}
	// A save from a form opened before that change is refused, not applied.
	stale := u.post("/console/webhooks/Integration/monitor/hook/edit", "/console/webhooks/Integration/monitor/hook/edit",
		url.Values{"url": {rcv.URL + "/v3"}, "resourceVersion": {rv[1]}})
	if stale.status != http.StatusConflict || !strings.Contains(stale.body, "Someone changed the webhook") {
		t.Fatalf("stale save: %d %s", stale.status, stale.body)
	}

	// Enable from the list, then send a test event.
	on := u.post("/console/webhooks", "/console/webhooks/Integration/monitor/hook/enabled", url.Values{"enabled": {"true"}, "return": {"/console/webhooks"}})
	contains(t, u.follow(on), "Webhook hook enabled.")
	if !webhookEnabled(t, e, "monitor", "hook") {
		t.Fatal("not enabled")
	}
	test := u.post("/console/webhooks/Integration/monitor/hook", "/console/webhooks/Integration/monitor/hook/test", url.Values{"eventType": {"ResourceUpdated"}})
	if test.status != http.StatusSeeOther || !strings.HasPrefix(test.location, "/console/deliveries/") {
		t.Fatalf("test: %d %q %s", test.status, test.location, test.body)
	}
	contains(t, u.follow(test), "Test event sent: the receiver answered 204", "test send", "ResourceUpdated")

	// Delete asks first, warning about what still names it.
	e.must("POST", mgmt+"/integrations/monitor/resourcehooks", map[string]any{"name": "uses-hook",
		"spec": api.ResourceHookSpec{Webhooks: []string{"hook"}, Triggers: []api.Trigger{{Group: "management", Kind: "Environment", Name: "*", Type: []string{"created"}}}}})
	confirm := u.get("/console/webhooks/Integration/monitor/hook/delete")
	contains(t, confirm, "Delete webhook hook?", "uses-hook", `<button type="submit" class="danger">Delete webhook hook</button>`)
	del := u.post("/console/webhooks/Integration/monitor/hook/delete", "/console/webhooks/Integration/monitor/hook/delete", nil)
	contains(t, u.follow(del), "Webhook hook deleted.")
	if _, err := e.api.Get(context.Background(), client.Path{Group: "management", Version: "v1", ScopePlural: "integrations", ScopeName: "monitor", Plural: "webhooks", Name: "hook"}); !client.HasStatus(err, 404) {
		t.Fatalf("still there: %v", err)
	}
}

// The add form needs a name: the API would make one up.
func TestWebhookNameRequired(t *testing.T) {
	e := newEnv(t)
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	u := e.user()
	u.login(e.srv.Token())
	for _, name := range []string{"", "   "} {
		p := u.post("/console/webhooks/new", "/console/webhooks", url.Values{"scope": {"Integration/monitor"},
			"name": {name}, "url": {"http://127.0.0.1:9/hook"}, "enabled": {"true"}})
		if p.status != http.StatusBadRequest {
			t.Fatalf("name %q: %d %q", name, p.status, p.location)
		}
		contains(t, p, "Enter a name", `value="http://127.0.0.1:9/hook"`)
	}
	items, err := e.api.List(context.Background(), client.Path{Group: "management", Version: "v1",
		ScopePlural: "integrations", ScopeName: "monitor", Plural: "webhooks"}, client.ListOptions{})
	if err != nil || len(items) != 0 {
		t.Fatalf("webhooks made without a name: %d %v", len(items), err)
	}
}

func TestDeliveryActions(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	for _, n := range []string{"a", "b", "c"} {
		e.must("POST", mgmt+"/environments", map[string]any{"name": n})
	}
	e.waitFor("3 failed deliveries", func() bool { return len(e.deliveries("status=failed")) == 3 })
	u := e.user()
	u.login(e.srv.Token())

	// Retry all: the count first, nothing changes until confirmed.
	p := u.get("/console/deliveries/retry?webhook=Integration/monitor/jira&since=1h")
	contains(t, p, "<strong>3</strong> failed deliveries to Integration/monitor/jira in the last hour match", "Retry 3 deliveries")
	if got := rcv.count(); got != 3 {
		t.Fatalf("counting sent something: %d requests", got)
	}
	sinceAt := regexp.MustCompile(`name="sinceAt" value="([^"]+)"`).FindStringSubmatch(p.body)
	if sinceAt == nil {
		t.Fatal("the confirmation does not fix the window")
	}
	rcv.answer(http.StatusNoContent)
	done := u.post("/console/deliveries", "/console/deliveries/retry", url.Values{"webhook": {"Integration/monitor/jira"}, "sinceAt": {html.UnescapeString(sinceAt[1])}})
	contains(t, u.follow(done), "3 failed deliveries queued to be sent again.")
	e.waitFor("3 succeeded", func() bool { return len(e.deliveries("status=succeeded")) == 3 })

	// One retry from its page, and purge.
	rcv.answer(http.StatusGone + 1) // 411: not retried
	e.must("POST", mgmt+"/environments", map[string]any{"name": "d"})
	e.waitFor("a new failure", func() bool { return len(e.deliveries("status=failed")) == 1 })
	id := e.deliveries("status=failed")[0].ID
	rcv.answer(http.StatusOK)
	one := u.post("/console/deliveries/"+id, "/console/deliveries/"+id+"/retry", nil)
	contains(t, u.follow(one), "queued to be sent again")
	e.waitFor("the retry to succeed", func() bool { return len(e.deliveries("status=succeeded")) == 4 })

	rcv.answer(http.StatusBadRequest)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "f"})
	e.waitFor("a failure to purge", func() bool { return len(e.deliveries("status=failed")) == 1 })
	p = u.get("/console/deliveries/purge")
	contains(t, p, "<strong>1</strong> failed delivery of any time matches", "Purge 1 delivery")
	untilAt := regexp.MustCompile(`name="untilAt" value="([^"]+)"`).FindStringSubmatch(p.body)
	if untilAt == nil {
		t.Fatal("the confirmation does not bound the creation times it counted")
	}
	// A failure after the count is not purged with what was confirmed.
	time.Sleep(2 * time.Millisecond) // the bound is in milliseconds
	e.must("POST", mgmt+"/environments", map[string]any{"name": "g"})
	e.waitFor("a failure after the count", func() bool { return len(e.deliveries("status=failed")) == 2 })
	purged := u.post("/console/deliveries/purge", "/console/deliveries/purge", url.Values{"untilAt": {html.UnescapeString(untilAt[1])}})
	contains(t, u.follow(purged), "1 failed delivery purged.")
	if n := len(e.deliveries("status=failed")); n != 1 {
		t.Fatalf("%d failed left after purge, want the 1 created after the count", n)
	}
	if n := len(e.deliveries("status=succeeded")); n != 4 {
		t.Fatalf("purge touched succeeded deliveries: %d left", n)
	}
	if p := u.get("/console/deliveries/retry?since=15m&status=succeeded"); !strings.Contains(p.body, "Retry 1 delivery") {
		t.Errorf("retry counts the failed deliveries whatever the status filter: %s", p.body)
	}
	if p := u.get("/console/deliveries/retry?sinceAt=2999-01-01T00:00:00.000%2B0000"); !strings.Contains(p.body, "nothing to retry") {
		t.Errorf("with none to retry: %s", p.body)
	}

	// Pagination: 25 a page.
	for i := range 26 {
		e.must("POST", mgmt+"/environments", map[string]any{"name": "p" + strings.Repeat("x", i+1)})
	}
	e.waitFor("31 deliveries done", func() bool { return len(e.deliveries("status=pending")) == 0 })
	p = u.get("/console/deliveries")
	contains(t, p, "page 1 of 2", `rel="next"`)
	p = u.get("/console/deliveries?page=2")
	contains(t, p, "page 2 of 2", `rel="prev"`)
}

// A retry leaves out the deliveries of deleted and disabled webhooks, and
// the console says so before and after.
func TestDeliveryRetryLeavesOut(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusBadRequest)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/integrations/monitor/webhooks", map[string]any{"name": "off", "spec": map[string]any{"url": rcv.URL, "enabled": true}})
	e.must("POST", mgmt+"/integrations/monitor/resourcehooks", map[string]any{"name": "more",
		"spec": api.ResourceHookSpec{Webhooks: []string{"off"}, Triggers: []api.Trigger{
			{Group: "management", Kind: "Environment", Name: "*", Type: []string{"created"}}}}})
	e.must("POST", mgmt+"/environments", map[string]any{"name": "a"})
	e.waitFor("2 failed deliveries", func() bool { return len(e.deliveries("status=failed")) == 2 })
	e.must("DELETE", mgmt+"/integrations/monitor/webhooks/off", nil)
	u := e.user()
	u.login(e.srv.Token())

	p := u.get("/console/deliveries/retry")
	contains(t, p, "<strong>1</strong> failed delivery of any time matches", "1 more to deleted webhooks is left out", "Retry 1 delivery")
	rcv.answer(http.StatusNoContent)
	done := u.post("/console/deliveries", "/console/deliveries/retry", nil)
	contains(t, u.follow(done), "1 failed delivery queued to be sent again. 1 left out: 1 to deleted webhooks.")

	e.waitFor("the retry to succeed", func() bool { return len(e.deliveries("status=succeeded")) == 1 })
	rcv.answer(http.StatusBadRequest)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "b"})
	e.waitFor("a new failure", func() bool { return len(e.deliveries("status=failed")) == 2 })
	e.must("PUT", mgmt+"/integrations/monitor/webhooks/jira", map[string]any{"spec": map[string]any{"url": rcv.URL, "enabled": false}})
	contains(t, u.get("/console/deliveries/retry"), "None of the failed deliveries of any time can be retried: nothing to retry.",
		"1 to disabled webhooks is left out", "1 to deleted webhooks is left out")
}

func TestSubscriptionsPage(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusNoContent)
	const env = mgmt + "/environments/demo"
	e.must("POST", mgmt+"/environments", map[string]any{"name": "demo"})
	e.must("POST", env+"/webhooks", map[string]any{"name": "approvals", "spec": map[string]any{"url": rcv.URL, "enabled": true}})
	e.must("POST", env+"/consumersubscriptiondefs", map[string]any{"name": "custom", "spec": map[string]any{
		"webhooks": []string{"approvals"}, "schema": map[string]any{"properties": []any{}}}})
	e.must("POST", env+"/consumerinstances", map[string]any{"name": "petstore", "spec": map[string]any{
		"subscription": map[string]any{"enabled": true, "subscriptionDefinition": "custom"}}})
	for _, n := range []string{"alice", "bob"} {
		e.must("POST", env+"/subscriptions", map[string]any{"name": n, "spec": map[string]any{"consumerInstance": "petstore"}})
	}
	u := e.user()
	u.login(e.srv.Token())
	p := u.get("/console/subscriptions")
	contains(t, p, ">alice</a>", ">bob</a>", "in Environment demo", "petstore", `<label for="d-demo--alice">`)

	ok := u.post("/console/subscriptions", "/console/subscriptions/demo/alice/state", url.Values{"state": {"APPROVED"}, "description": {"Welcome"}})
	contains(t, u.follow(ok), "Subscription alice in Environment demo approved.")
	no := u.post("/console/subscriptions", "/console/subscriptions/demo/bob/state", url.Values{"state": {"REJECTED"}})
	p = u.follow(no)
	contains(t, p, "Subscription bob in Environment demo rejected.", "No subscription is waiting")

	var st api.SubscriptionState
	raw, err := e.api.SubResourceGet(context.Background(), client.Path{Group: "management", Version: "v1", ScopePlural: "environments", ScopeName: "demo", Plural: "subscriptions", Name: "alice"}, "state")
	if err != nil || json.Unmarshal(raw, &st) != nil || st.Name != "APPROVED" || st.Description != "Welcome" {
		t.Fatalf("alice: %s %v", raw, err)
	}
	// The definition's webhook hears about it, as from the CLI.
	webhookRef := "Environment/demo/approvals"
	e.waitFor("the approval events", func() bool {
		return len(e.deliveries("scope=Environment/demo&webhook=approvals&status=succeeded")) >= 4
	})
	if p := u.get("/console/webhooks/Environment/demo/approvals"); !strings.Contains(p.body, "Subscription definitions that send to it") ||
		!strings.Contains(p.body, ">custom</a>") {
		t.Errorf("%s: its definition is not listed:\n%s", webhookRef, p.body)
	}

	// A move the state machine refuses comes back with the API's reason.
	again := u.post("/console/subscriptions", "/console/subscriptions/demo/bob/state", url.Values{"state": {"APPROVED"}})
	contains(t, u.follow(again), "Subscription bob was not changed", "REJECTED")
}
