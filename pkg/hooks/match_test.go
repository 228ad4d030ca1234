package hooks

import (
	"slices"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// The four ResourceHooks of the webhook guide, each with the resources it
// must and must not catch.
func TestMatchSeedScenarios(t *testing.T) {
	const env = "azure-apiman-service"
	inEnv := func(kind, name string) *api.ResourceInstance { return resource(kind, name, "Environment", env) }
	catalog := resource("APIService", "svc", "Integration", "i9")
	catalog.Group = "catalog"
	for _, tc := range []struct {
		name     string
		triggers []api.Trigger
		want     []*api.ResourceInstance
		wantNot  []*api.ResourceInstance
	}{{
		name: "every APIServiceRevision in one environment",
		triggers: []api.Trigger{{Group: "management", Kind: "APIServiceRevision", Name: "*", Type: allTypes,
			Scope: &api.TriggerScope{Kind: "Environment", Name: env}}},
		want: []*api.ResourceInstance{inEnv("APIServiceRevision", "r1"), inEnv("APIServiceRevision", "r2")},
		wantNot: []*api.ResourceInstance{
			resource("APIServiceRevision", "r1", "Environment", "other"),
			inEnv("APIService", "r1"),
			resource("Environment", env, "", ""),
		},
	}, {
		name:     "every Environment",
		triggers: []api.Trigger{{Group: "management", Kind: "Environment", Name: "*", Type: allTypes}},
		want:     []*api.ResourceInstance{resource("Environment", "e1", "", ""), resource("Environment", env, "", "")},
		wantNot:  []*api.ResourceInstance{inEnv("APIService", "s1"), resource("Integration", "e1", "", "")},
	}, {
		name: "one environment and everything inside it",
		triggers: []api.Trigger{
			{Group: "management", Kind: "Environment", Name: env, Type: allTypes},
			{Group: "management", Kind: "*", Name: "*", Type: allTypes, Scope: &api.TriggerScope{Kind: "Environment", Name: env}},
		},
		want: []*api.ResourceInstance{resource("Environment", env, "", ""), inEnv("APIService", "s1"), inEnv("Secret", "s2")},
		wantNot: []*api.ResourceInstance{
			resource("Environment", "other", "", ""),
			resource("APIService", "s1", "Environment", "other"),
			resource("Webhook", "w", "Integration", env), // same scope name, other scope kind
			func() *api.ResourceInstance { r := inEnv("Thing", "x"); r.Group = "catalog"; return r }(),
		},
	}, {
		name: "APIService in any group and any scope",
		triggers: []api.Trigger{{Group: "*", Kind: "APIService", Name: "*", Type: allTypes,
			Scope: &api.TriggerScope{Kind: "*", Name: "*"}}},
		want: []*api.ResourceInstance{inEnv("APIService", "s1"), resource("APIService", "s2", "Environment", "e2"), catalog},
		wantNot: []*api.ResourceInstance{
			inEnv("APIServiceRevision", "s1"),
			resource("APIService", "s3", "", ""), // a scope, even all wildcards, asks for a scoped resource
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			x := NewIndex()
			put(t, x, "i1", "hook", tc.triggers, "invoke-jira-webhook")
			for _, r := range tc.want {
				if got := webhooks(x.Match(event(t, api.ResourceUpdated, r), r)); !slices.Equal(got, []string{"i1/invoke-jira-webhook"}) {
					t.Errorf("%s in %q: got %v, want the webhook", r.Ref(), r.ScopeKind()+"/"+r.ScopeName(), got)
				}
			}
			for _, r := range tc.wantNot {
				if got := x.Match(event(t, api.ResourceUpdated, r), r); got != nil {
					t.Errorf("%s in %q: got %v, want none", r.Ref(), r.ScopeKind()+"/"+r.ScopeName(), webhooks(got))
				}
			}
		})
	}
}

func TestMatchEventTypes(t *testing.T) {
	for _, tc := range []struct {
		types []string
		event api.EventType
		want  bool
	}{
		{[]string{"created"}, api.ResourceCreated, true},
		{[]string{"created"}, api.ResourceUpdated, false},
		{[]string{"updated"}, api.ResourceUpdated, true},
		{[]string{"updated"}, api.SubResourceUpdated, true},
		{[]string{"created", "deleted"}, api.SubResourceUpdated, false},
		{[]string{"deleted"}, api.ResourceDeleted, true},
		{[]string{"deleted"}, api.ResourceCreated, false},
		{allTypes, api.SubscriptionUpdatedEvent, false},
		{allTypes, "SomethingNew", false},
	} {
		x := NewIndex()
		put(t, x, "i1", "h", []api.Trigger{{Kind: "Environment", Type: tc.types}}, "w")
		r := resource("Environment", "e1", "", "")
		if got := x.Match(event(t, tc.event, r), r) != nil; got != tc.want {
			t.Errorf("types %v, event %s: matched = %v, want %v", tc.types, tc.event, got, tc.want)
		}
	}
}

// A webhook named by two triggers, or by two hooks, gets the event once;
// the result is sorted whatever order the hooks went in.
func TestMatchDedupe(t *testing.T) {
	x := NewIndex()
	env := []api.Trigger{{Kind: "Environment", Name: "e1", Type: allTypes}, {Kind: "*", Type: allTypes}}
	put(t, x, "i2", "b", env, "w2", "w1", "w1")
	put(t, x, "i2", "a", env[:1], "w1", "w3")
	put(t, x, "i1", "a", env[1:], "w9")
	r := resource("Environment", "e1", "", "")
	got := webhooks(x.Match(event(t, api.ResourceCreated, r), r))
	if want := []string{"i1/w9", "i2/w1", "i2/w2", "i2/w3"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
