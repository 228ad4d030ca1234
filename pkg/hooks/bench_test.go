package hooks

import (
	"fmt"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// BenchmarkMatch shows that hooks which cannot match an event cost it
// nothing: "unrelated" adds 10,000 hooks on other kinds and names, and the
// time per event should not move. "filter" adds one matching hook with a
// filter, the price of decoding the envelope.
func BenchmarkMatch(b *testing.B) {
	env := resource("Environment", "e1", "", "")
	ev := event(b, api.ResourceUpdated, env)
	for _, bc := range []struct {
		name      string
		unrelated int
		filter    string
	}{
		{"hooks=0", 0, ""},
		{"hooks=10000", 10000, ""},
		{"hooks=10000/filter", 10000, "payload.name==e1"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			x := NewIndex()
			if err := x.Replace(unrelatedHooks(b, bc.unrelated)); err != nil {
				b.Fatal(err)
			}
			if bc.filter != "" {
				put(b, x, "i1", "match", []api.Trigger{{Kind: "Environment", Name: "e1", Type: allTypes, Filter: bc.filter}}, "w")
			}
			b.ReportAllocs()
			for b.Loop() {
				x.Match(ev, env)
			}
		})
	}
}

// BenchmarkPut is the price of copy-on-write: one Put into an index that
// already holds 10,000 hooks.
func BenchmarkPut(b *testing.B) {
	x := NewIndex()
	if err := x.Replace(unrelatedHooks(b, 10000)); err != nil {
		b.Fatal(err)
	}
	hooks := make([]*api.ResourceInstance, 100)
	for i := range hooks {
		hooks[i] = resourceHook(b, "i2", fmt.Sprintf("h%d", i), api.ResourceHookSpec{
			Triggers: []api.Trigger{{Kind: "Environment", Type: allTypes}}, Webhooks: []string{"w"}})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := x.Put(hooks[i%len(hooks)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
