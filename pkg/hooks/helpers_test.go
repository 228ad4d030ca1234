package hooks

import (
	"encoding/json"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// allTypes is what the seed's hooks listen to.
var allTypes = []string{"created", "updated", "deleted"}

// resourceHook builds a ResourceHook in an Integration the way the store
// hands one over: the spec as raw JSON.
func resourceHook(t testing.TB, integration, name string, spec api.ResourceHookSpec) *api.ResourceInstance {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	return &api.ResourceInstance{
		Group: "management", APIVersion: "v1alpha1", Kind: "ResourceHook", Name: name,
		Metadata: api.Metadata{Scope: &api.Scope{Kind: "Integration", Name: integration}},
		Spec:     raw,
	}
}

// put adds a hook that sends to webhooks when any of triggers matches.
func put(t testing.TB, x *Index, integration, name string, triggers []api.Trigger, webhooks ...string) {
	t.Helper()
	if err := x.Put(resourceHook(t, integration, name, api.ResourceHookSpec{Triggers: triggers, Webhooks: webhooks})); err != nil {
		t.Fatal(err)
	}
}

// resource builds a management resource; scope is "Kind/name" or "" for an
// unscoped one.
func resource(kind, name, scopeKind, scopeName string) *api.ResourceInstance {
	r := &api.ResourceInstance{Group: "management", APIVersion: "v1alpha1", Kind: kind, Name: name, Spec: json.RawMessage(`{}`)}
	if scopeKind != "" {
		r.Metadata.Scope = &api.Scope{Kind: scopeKind, Name: scopeName}
	}
	return r
}

// event wraps r the way the store records a change to it.
func event(t testing.TB, typ api.EventType, r *api.ResourceInstance) *api.Event {
	t.Helper()
	payload, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return &api.Event{
		ID: "e1", Version: api.EventVersion, Product: api.EventProduct,
		Type: typ, Payload: payload, Metadata: &api.EventMetadata{SequenceID: 7},
	}
}

// webhooks returns the webhook names of targets, for compact comparisons.
func webhooks(targets []Target) []string {
	var names []string
	for _, tg := range targets {
		names = append(names, tg.Integration+"/"+tg.Webhook)
	}
	return names
}
