package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// eventOf returns the last event of the log of type typ whose payload
// holds about, read through the API.
func (e *env) eventOf(typ api.EventType, about string) *api.Event {
	e.t.Helper()
	evs, err := e.api.Events(context.Background(), 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ && strings.Contains(string(evs[i].Payload), about) {
			return evs[i]
		}
	}
	e.t.Fatalf("no %s event with %s in the log", typ, about)
	return nil
}

// An event's page shows its envelope and links the resource it is about;
// the delivery page and the resource page link to it.
func TestEventPage(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/environments", map[string]any{"name": "staging", "title": "Staging <b>"})
	e.waitFor("a failed delivery", func() bool { return len(e.deliveries("status=failed")) == 1 })
	dlv := e.deliveries("")[0]
	ev := e.eventOf(api.ResourceCreated, `"name":"staging"`)
	link := fmt.Sprintf("/console/events/%d", dlv.SequenceID)
	if ev.ID != dlv.EventID || ev.Metadata.SequenceID != dlv.SequenceID {
		t.Fatalf("the delivery is of event %s/%d, the log's is %s/%d", dlv.EventID, dlv.SequenceID, ev.ID, ev.Metadata.SequenceID)
	}
	u := e.user()
	u.login(e.srv.Token())

	contains(t, u.get("/console/deliveries/"+dlv.ID), `<a href="`+link+`">`+ev.ID+`</a>`)
	contains(t, u.get("/console/resources/management/environments/staging"),
		fmt.Sprintf(`<a href="%s">%d</a>`, link, dlv.SequenceID))

	p := u.get(link)
	if p.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", link, p.status, p.body)
	}
	contains(t, p, fmt.Sprintf("<h1>Event %d</h1>", dlv.SequenceID), "<dd>ResourceCreated</dd>",
		`<a href="/console/resources/management/environments/staging">Environment/staging</a>`,
		ev.ID, ev.CorrelationID, ev.Organization.ID, " UTC</time> (",
		html.EscapeString(`"type": "ResourceCreated",`), html.EscapeString(`"sequenceID": `+fmt.Sprint(dlv.SequenceID)),
		// Indented all through, payload included, and escaped as stored.
		html.EscapeString(`  "payload": {`+"\n"+`    "group": "management",`), html.EscapeString(`"title": "Staging \u003cb\u003e"`),
		// Where it went: its one delivery, to a webhook that exists.
		"<h2>Deliveries</h2>", "<p>1 delivery, one for each webhook a hook sent it to.</p>",
		`<a href="/console/deliveries/`+dlv.ID+`" class="id">`+dlv.ID+`</a>`,
		`<a href="/console/webhooks/Integration/monitor/jira">Integration/monitor/jira</a>`)

	// An event no hook sent anywhere (the Integration's creation) says so.
	integ := e.eventOf(api.ResourceCreated, `"kind":"Integration"`)
	contains(t, u.get(fmt.Sprintf("/console/events/%d", integ.Metadata.SequenceID)),
		`<p class="empty">No deliveries: no hook sent this event to a webhook, or its deliveries have been purged.</p>`)

	// Deleted, or made again under the same name, it is not linked.
	e.must("DELETE", mgmt+"/environments/staging", nil)
	e.waitFor("the deletion", func() bool {
		return !strings.Contains(u.get(link).body, `href="/console/resources/management/environments/staging"`)
	})
	e.must("POST", mgmt+"/environments", map[string]any{"name": "staging"})
	p = u.get(link)
	contains(t, p, `Environment/staging <span class="sub">(no longer exists)</span>`)
	if strings.Contains(p.body, `href="/console/resources/management/environments/staging"`) {
		t.Errorf("the event links a new resource of the same name:\n%s", p.body)
	}

	for _, seq := range []string{"999999", "0", "-1", "abc"} {
		if p := u.get("/console/events/" + seq); p.status != http.StatusNotFound || !strings.Contains(p.body, "<h1>Not found</h1>") {
			t.Errorf("GET /console/events/%s: %d %s", seq, p.status, p.body)
		}
	}
}

// A test send has no event in the log: its delivery links none.
func TestTestSendLinksNoEvent(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, http.StatusNoContent)
	monitored(e, rcv.URL)
	e.must("POST", mgmt+"/integrations/monitor/webhooks/jira/test", nil)
	d := e.deliveries("")
	if len(d) != 1 || d[0].SequenceID != 0 {
		t.Fatalf("want one test delivery, got %+v", d)
	}
	u := e.user()
	u.login(e.srv.Token())
	p := u.get("/console/deliveries/" + d[0].ID)
	contains(t, p, d[0].EventID)
	if strings.Contains(p.body, "/console/events/") {
		t.Errorf("a test send links an event:\n%s", p.body)
	}
}

// A Secret's event shows its values as the log keeps them: redacted.
func TestSecretEventRedacted(t *testing.T) {
	e := newEnv(t)
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	e.must("POST", mgmt+"/integrations/monitor/secrets", map[string]any{"name": "jira-token",
		"spec": map[string]any{"data": map[string]string{"value": "Bearer s3cr3t-value"}}})
	ev := e.eventOf(api.ResourceCreated, `"kind":"Secret"`)
	u := e.user()
	u.login(e.srv.Token())

	p := u.get(fmt.Sprintf("/console/events/%d", ev.Metadata.SequenceID))
	contains(t, p, html.EscapeString(`"value": "REDACTED"`),
		`<a href="/console/resources/management/secrets/jira-token?scope=Integration%2Fmonitor">Secret/jira-token in Integration/monitor</a>`)
	if strings.Contains(p.body, "s3cr3t") {
		t.Errorf("the event page shows the Secret's value:\n%s", p.body)
	}
}

// A SubscriptionUpdatedEvent is about the subscription its payload
// carries: each links the other.
func TestSubscriptionEventLinks(t *testing.T) {
	e := newEnv(t)
	const env = mgmt + "/environments/demo"
	e.must("POST", mgmt+"/environments", map[string]any{"name": "demo"})
	e.must("POST", env+"/webhooks", map[string]any{"name": "approvals", "spec": map[string]any{"url": "http://127.0.0.1:1/", "enabled": false}})
	e.must("POST", env+"/consumersubscriptiondefs", map[string]any{"name": "custom", "spec": map[string]any{
		"webhooks": []string{"approvals"}, "schema": map[string]any{"properties": []any{}}}})
	e.must("POST", env+"/consumerinstances", map[string]any{"name": "petstore", "spec": map[string]any{
		"subscription": map[string]any{"enabled": true, "subscriptionDefinition": "custom"}}})
	e.must("POST", env+"/subscriptions", map[string]any{"name": "alice", "spec": map[string]any{"consumerInstance": "petstore"}})
	e.must("POST", env+"/subscriptions/alice/states", api.StateChange{State: "APPROVED"})
	ev := e.eventOf(api.SubscriptionUpdatedEvent, `"name":"alice"`)
	link := fmt.Sprintf("/console/events/%d", ev.Metadata.SequenceID)
	u := e.user()
	u.login(e.srv.Token())

	contains(t, u.get(link), "<dd>SubscriptionUpdatedEvent</dd>",
		`<a href="/console/resources/management/subscriptions/alice?scope=Environment%2Fdemo">Subscription/alice in Environment/demo</a>`)
	contains(t, u.get("/console/resources/management/subscriptions/alice?scope=Environment/demo"), `<a href="`+link+`">`)
}
