package hooks

import (
	"errors"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// A Matcher is the Index's rules applied to one list of triggers: over every
// pairing of trigger, resource and event type, both answer alike.
func TestMatcherAgreesWithIndex(t *testing.T) {
	scope := func(kind, name string) *api.TriggerScope { return &api.TriggerScope{Kind: kind, Name: name} }
	triggers := []api.Trigger{
		{Group: "management", Kind: "APIService", Name: "*", Type: allTypes, Scope: scope("Environment", "prod")},
		{Kind: "Environment", Name: "prod", Type: []string{"updated"}},
		{Group: "*", Kind: "*", Name: "*", Type: []string{"created"}},
		{Kind: "*", Name: "s1", Type: []string{"deleted"}, Scope: scope("*", "*")},
		{Group: "catalog", Kind: "APIService", Type: allTypes},
		{Kind: "Environment", Type: allTypes, Filter: "payload.spec.production==true"},
	}
	catalog := resource("APIService", "s1", "Environment", "prod")
	catalog.Group = "catalog"
	production := resource("Environment", "live", "", "")
	production.Spec = []byte(`{"production":true}`)
	resources := []*api.ResourceInstance{
		resource("Environment", "prod", "", ""),
		resource("Environment", "dev", "", ""),
		production,
		resource("APIService", "s1", "Environment", "prod"),
		resource("APIService", "s2", "Environment", "dev"),
		resource("Webhook", "s1", "Integration", "prod"),
		catalog,
	}
	types := []api.EventType{api.ResourceCreated, api.ResourceUpdated, api.SubResourceUpdated, api.ResourceDeleted, api.SubscriptionUpdatedEvent}
	matched := 0
	for _, tr := range triggers {
		m, err := NewMatcher([]api.Trigger{tr})
		if err != nil {
			t.Fatal(err)
		}
		x := NewIndex()
		put(t, x, "i1", "h", []api.Trigger{tr}, "w")
		for _, r := range resources {
			for _, typ := range types {
				ev := event(t, typ, r)
				got, want := m.Match(ev, r), x.Match(ev, r) != nil
				if got != want {
					t.Errorf("trigger %+v, %s %s in %s/%s: Matcher %v, Index %v", tr, typ, r.Ref(), r.ScopeKind(), r.ScopeName(), got, want)
				}
				if got {
					matched++
				}
			}
		}
	}
	if total := len(triggers) * len(resources) * len(types); matched < 10 || matched > total/2 {
		t.Errorf("%d of %d pairings matched: the cases do not tell matching from not", matched, total)
	}
	// Several triggers: any one suffices.
	m, _ := NewMatcher(triggers[:2])
	if r := resource("Environment", "prod", "", ""); !m.Match(event(t, api.SubResourceUpdated, r), r) {
		t.Error("the second of two triggers did not match")
	}
	if r := resource("Environment", "dev", "", ""); m.Match(event(t, api.ResourceUpdated, r), r) {
		t.Error("matched what no trigger names")
	}
	if m.Match(event(t, api.ResourceCreated, resources[0]), nil) {
		t.Error("matched an event without its resource")
	}
}

func TestMatcherErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		trigger api.Trigger
		field   string
	}{
		{api.Trigger{Kind: "*"}, "type"},
		{api.Trigger{Kind: "*", Type: []string{"subresourceupdated"}}, "type"},
		{api.Trigger{Kind: "*", Type: allTypes, Filter: "a=="}, "filter"},
	} {
		_, err := NewMatcher([]api.Trigger{{Kind: "*", Type: allTypes}, tc.trigger})
		var te *TriggerError
		if !errors.As(err, &te) || te.Index != 1 || te.Field != tc.field {
			t.Errorf("NewMatcher with %+v second = %#v, want a *TriggerError for trigger 1, field %s", tc.trigger, err, tc.field)
		}
	}
}
