package hooks

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

func TestPutReplacesOldVersion(t *testing.T) {
	x := NewIndex()
	env, svc := resource("Environment", "e1", "", ""), resource("APIService", "s1", "Environment", "e1")
	put(t, x, "i1", "h", []api.Trigger{{Kind: "Environment", Type: allTypes}}, "old")
	put(t, x, "i1", "h", []api.Trigger{{Kind: "APIService", Type: allTypes}}, "new")
	put(t, x, "i2", "h", []api.Trigger{{Kind: "Secret", Type: allTypes}}, "other") // same name, other Integration
	if x.Len() != 2 {
		t.Errorf("Len = %d, want 2", x.Len())
	}
	if got := x.Match(event(t, api.ResourceCreated, env), env); got != nil {
		t.Errorf("the replaced trigger still matches: %v", got)
	}
	if got := webhooks(x.Match(event(t, api.ResourceCreated, svc), svc)); !slices.Equal(got, []string{"i1/new"}) {
		t.Errorf("got %v, want [i1/new]", got)
	}
}

func TestDelete(t *testing.T) {
	x := NewIndex()
	triggers := []api.Trigger{{Kind: "Environment", Type: allTypes}, {Kind: "Environment", Name: "e1", Type: allTypes}}
	put(t, x, "i1", "h", triggers, "w")
	put(t, x, "i2", "h", triggers, "w")
	x.Delete("i1", "h")
	x.Delete("i1", "absent")
	env := resource("Environment", "e1", "", "")
	if got := webhooks(x.Match(event(t, api.ResourceDeleted, env), env)); !slices.Equal(got, []string{"i2/w"}) {
		t.Errorf("got %v, want [i2/w]", got)
	}
	x.Delete("i2", "h")
	if x.Len() != 0 || len(x.cur.Load().buckets) != 0 {
		t.Errorf("after deleting every hook: Len = %d, buckets = %v", x.Len(), x.cur.Load().buckets)
	}
}

func TestPutRefuses(t *testing.T) {
	ok := api.ResourceHookSpec{Triggers: []api.Trigger{{Kind: "Environment", Type: allTypes}}, Webhooks: []string{"w"}}
	notHook := resourceHook(t, "i1", "h", ok)
	notHook.Kind = "Webhook"
	unscoped := resourceHook(t, "i1", "h", ok)
	unscoped.Metadata.Scope = nil
	badSpec := resourceHook(t, "i1", "h", ok)
	badSpec.Spec = []byte(`{"triggers": "all"}`)
	badFilter := resourceHook(t, "i1", "h", api.ResourceHookSpec{Triggers: []api.Trigger{
		{Kind: "Environment", Type: allTypes}, {Kind: "Environment", Type: allTypes, Filter: "payload.x=="},
	}})
	x := NewIndex()
	for _, r := range []*api.ResourceInstance{notHook, unscoped, badSpec, badFilter} {
		if err := x.Put(r); err == nil {
			t.Errorf("Put(%s) = nil, want an error", r.Spec)
		}
	}
	var te *TriggerError
	if err := x.Put(badFilter); !errors.As(err, &te) || te.Index != 1 {
		t.Errorf("Put with a bad second trigger = %v, want a *TriggerError for trigger 1", err)
	}
	if x.Len() != 0 {
		t.Errorf("Len = %d after refused Puts, want 0", x.Len())
	}
}

// Replace loads what it can and names what it cannot.
func TestReplace(t *testing.T) {
	x := NewIndex()
	put(t, x, "i0", "gone", []api.Trigger{{Kind: "*", Type: allTypes}}, "w")
	good := resourceHook(t, "i1", "good", api.ResourceHookSpec{Triggers: []api.Trigger{{Kind: "Environment", Type: allTypes}}, Webhooks: []string{"w"}})
	bad := resourceHook(t, "i1", "bad", api.ResourceHookSpec{Triggers: []api.Trigger{{Kind: "Environment", Type: []string{"modified"}}}})
	err := x.Replace([]*api.ResourceInstance{good, bad})
	if want := `ResourceHook "bad" in Integration "i1": trigger 0: type "modified" is not one of created, updated, deleted`; err == nil || err.Error() != want {
		t.Errorf("Replace = %v, want %s", err, want)
	}
	env := resource("Environment", "e1", "", "")
	if got := webhooks(x.Match(event(t, api.ResourceCreated, env), env)); x.Len() != 1 || !slices.Equal(got, []string{"i1/w"}) {
		t.Errorf("after Replace: Len = %d, Match = %v; want 1, [i1/w]", x.Len(), got)
	}
}

// Hooks on other kinds and other names must cost an event nothing: Match
// reads only the buckets for its kind or "*" and its name or "*".
func TestMatchExaminesOnlyItsBuckets(t *testing.T) {
	x := NewIndex()
	if err := x.Replace(unrelatedHooks(t, 10000)); err != nil {
		t.Fatal(err)
	}
	put(t, x, "i1", "any-env", []api.Trigger{{Kind: "Environment", Type: allTypes}}, "w1")
	put(t, x, "i1", "this-env", []api.Trigger{{Kind: "Environment", Name: "e1", Type: []string{"deleted"}}}, "w2")
	put(t, x, "i1", "anything", []api.Trigger{{Kind: "*", Type: allTypes, Scope: &api.TriggerScope{Kind: "Environment"}}}, "w3")
	env := resource("Environment", "e1", "", "")
	targets, st := x.match(event(t, api.ResourceCreated, env), env)
	if got := webhooks(targets); !slices.Equal(got, []string{"i1/w1"}) {
		t.Errorf("Match = %v, want [i1/w1]", got)
	}
	if st.examined != 3 {
		t.Errorf("examined %d triggers, want the 3 that name Environment/e1 or a wildcard", st.examined)
	}
}

// unrelatedHooks returns n hooks none of which can match Environment/e1:
// half on other kinds, half on Environments with other names.
func unrelatedHooks(t testing.TB, n int) []*api.ResourceInstance {
	hooks := make([]*api.ResourceInstance, n)
	for i := range hooks {
		tr := api.Trigger{Kind: fmt.Sprintf("Kind%d", i), Name: "*", Type: allTypes, Filter: "payload.spec.x==1"}
		if i%2 == 1 {
			tr = api.Trigger{Kind: "Environment", Name: fmt.Sprintf("env%d", i), Type: allTypes}
		}
		hooks[i] = resourceHook(t, "i1", fmt.Sprintf("h%d", i), api.ResourceHookSpec{Triggers: []api.Trigger{tr}, Webhooks: []string{"w"}})
	}
	return hooks
}

// Run with -race: Match reads snapshots while Put and Delete publish new ones.
func TestConcurrentMatchAndPut(t *testing.T) {
	x := NewIndex()
	env := resource("Environment", "e1", "", "")
	ev := event(t, api.ResourceUpdated, env)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				name := fmt.Sprintf("h%d-%d", w, i%10)
				put(t, x, "i1", name, []api.Trigger{{Kind: "Environment", Type: allTypes, Filter: "payload.name==e1"}}, name)
				if i%3 == 0 {
					x.Delete("i1", name)
				}
			}
		})
		wg.Go(func() {
			for range 200 {
				for _, tg := range x.Match(ev, env) {
					if tg.Integration != "i1" {
						t.Errorf("unexpected target %v", tg)
					}
				}
			}
		})
	}
	wg.Wait()
	if got := len(x.Match(ev, env)); got != x.Len() {
		t.Errorf("Match returned %d targets for %d hooks that all match", got, x.Len())
	}
}
