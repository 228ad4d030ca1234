package hooks

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"

	"github.com/centralhq/central/pkg/api"
)

// Match returns the webhooks ev goes to, sorted and without duplicates, or
// nil when none. r is the resource ev is about, already decoded by the
// caller, which is what every trigger field but the filter is tested on;
// filters read ev itself, the envelope a webhook receives.
func (x *Index) Match(ev *api.Event, r *api.ResourceInstance) []Target {
	targets, _ := x.match(ev, r)
	return targets
}

// matchStats counts Match's work, which is how the tests see that hooks
// which cannot match are never looked at and that the envelope is decoded
// at most once.
type matchStats struct {
	examined int // triggers read from the buckets
	decoded  int // envelopes decoded for filters
}

// match is Match that also reports its work.
func (x *Index) match(ev *api.Event, r *api.ResourceInstance) (targets []Target, st matchStats) {
	typ, ok := eventTypes[ev.Type]
	if !ok || r == nil {
		return nil, st
	}
	s := x.cur.Load()
	var (
		matched []*hook
		doc     map[string]any
		decoded bool
	)
	keys, n := bucketsOf(r)
	for _, k := range keys[:n] {
		for _, t := range s.buckets[k] {
			st.examined++
			// A hook with one trigger cannot already be in matched, which
			// keeps the common case from scanning it.
			if !t.matches(typ, r) || (len(t.hook.triggers) > 1 && slices.Contains(matched, t.hook)) {
				continue
			}
			if t.filter != nil {
				// Only now is the envelope worth decoding, and only once.
				if !decoded {
					doc, decoded = envelope(ev), true
					st.decoded++
				}
				if doc == nil || !t.filter.Match(doc) {
					continue
				}
			}
			matched = append(matched, t.hook)
		}
	}
	for _, h := range matched {
		targets = append(targets, h.targets...)
	}
	if len(matched) > 1 {
		slices.SortFunc(targets, compareTargets)
		targets = slices.Compact(targets)
	}
	return targets, st
}

// bucketsOf lists the buckets that can hold a trigger naming r: its kind or
// any kind, times its name or any name. A resource missing its kind or name
// reads only the wildcard buckets, once each. It returns an array rather
// than a slice so that Match allocates nothing when no trigger matches.
func bucketsOf(r *api.ResourceInstance) (keys [4]bucketKey, n int) {
	keys[0] = bucketKey{"", ""}
	n = 1
	if r.Name != "" {
		keys[n] = bucketKey{"", r.Name}
		n++
	}
	if r.Kind != "" {
		keys[n] = bucketKey{r.Kind, ""}
		n++
		if r.Name != "" {
			keys[n] = bucketKey{r.Kind, r.Name}
			n++
		}
	}
	return keys, n
}

// matches tests everything but the kind and name, which the bucket already
// settled, and the filter, which is the dearest test and so comes last.
func (t *trigger) matches(typ typeSet, r *api.ResourceInstance) bool {
	if t.types&typ == 0 || (t.group != "" && t.group != r.Group) {
		return false
	}
	if !t.scoped {
		return true
	}
	// A trigger with a scope, even {kind: "*", name: "*"}, asks for scoped
	// resources: "everything inside X" never includes X itself.
	sc := r.Metadata.Scope
	return sc != nil &&
		(t.scope.Kind == "" || t.scope.Kind == sc.Kind) &&
		(t.scope.Name == "" || t.scope.Name == sc.Name)
}

// envelope turns ev into the generic JSON a filter reads, numbers kept as
// json.Number so that large integers stay exact. It returns nil when ev does
// not encode, as with a malformed payload, and then no filter holds.
func envelope(ev *api.Event) map[string]any {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc map[string]any
	if d.Decode(&doc) != nil {
		return nil
	}
	return doc
}

func compareTargets(a, b Target) int {
	return cmp.Or(cmp.Compare(a.Integration, b.Integration), cmp.Compare(a.Webhook, b.Webhook))
}
