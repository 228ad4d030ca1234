package server_test

import (
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/server"
)

// A trigger's name is compared exactly, so one no resource can have ("fx*")
// is refused when the hook is saved, with the filter that does what was
// meant; and that filter does.
func TestHookNameThatCannotMatch(t *testing.T) {
	h := start(t, server.Config{})
	rcv := newReceiver(t)
	glob := allTypes("Environment", nil)
	glob.Name = "fx*"
	h.must(201, "POST", mgmt+"/integrations", map[string]any{"name": "i"})
	var e api.ErrorResponse
	if st := h.do("POST", mgmt+"/integrations/i/resourcehooks", map[string]any{"name": "bad", "spec": api.ResourceHookSpec{Triggers: []api.Trigger{glob}, Webhooks: []string{"wh"}}}, &e); st != 400 ||
		e.Errors[0].Source["pointer"] != "/spec/triggers/0/name" ||
		e.Errors[0].Detail != `Trigger 0: name "fx*" can never match: it is compared with names exactly, so give one resource's name, or "*" for any. To match names by pattern, use * as the name and add filter: payload.name=="fx*".` {
		t.Fatalf("a name no resource can have: %d %+v", st, e)
	}
	scoped := allTypes("*", &api.TriggerScope{Kind: "Environment", Name: "Prod"})
	if st := h.do("POST", mgmt+"/integrations/i/resourcehooks", map[string]any{"name": "bad", "spec": api.ResourceHookSpec{Triggers: []api.Trigger{scoped}, Webhooks: []string{"wh"}}}, &e); st != 400 ||
		e.Errors[0].Source["pointer"] != "/spec/triggers/0/scope/name" || !strings.Contains(e.Errors[0].Detail, `scope name "Prod" can never match`) {
		t.Fatalf("a scope name no resource can have: %d %+v", st, e)
	}
	pattern := allTypes("Environment", nil)
	pattern.Filter = `payload.name=="fx*"`
	h.must(201, "POST", mgmt+"/integrations/i/webhooks", map[string]any{"name": "wh", "spec": map[string]any{"url": rcv.URL, "enabled": true}})
	h.must(201, "POST", mgmt+"/integrations/i/resourcehooks", map[string]any{"name": "hook", "spec": api.ResourceHookSpec{Triggers: []api.Trigger{pattern}, Webhooks: []string{"wh"}}})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "dev"})
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "fx1"})
	if body := string(rcv.next(t).body); !strings.Contains(body, `"name":"fx1"`) {
		t.Fatalf("the suggested filter let the wrong event through: %s", body)
	}
	if n := len(h.deliveries("")); n != 1 {
		t.Fatalf("%d deliveries, want fx1's alone", n)
	}
}
