// Package hooks decides which webhooks an event goes to: it keeps an index of
// the ResourceHooks of every Integration and matches each resource change
// against their triggers.
//
// Matching runs inside the store transaction that records the change (so the
// event and its deliveries commit together), once per event, while hooks
// change only when someone saves one. The index is therefore built for
// Match: triggers sit in buckets by kind and name, so an event only looks at
// triggers that could name it, and Match reads an immutable snapshot through
// an atomic pointer, so it never waits for a Put.
//
// A Matcher applies the same rules to one list of triggers without an index:
// the API server reads a WatchTopic's events with it.
package hooks

import (
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/centralhq/central/pkg/api"
)

// Target is one webhook an event must be delivered to.
type Target struct {
	Integration string // the scope of the ResourceHook, and so of the Webhook
	Webhook     string // the Webhook's name
}

// Index holds the triggers of every ResourceHook. Match may run from any
// number of goroutines while Put, Replace and Delete run.
type Index struct {
	mu  sync.Mutex // serializes writers, so no copy loses another's change
	cur atomic.Pointer[snapshot]
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	x := &Index{}
	x.cur.Store(&snapshot{hooks: map[hookKey]*hook{}, buckets: map[bucketKey][]*trigger{}})
	return x
}

// snapshot is one immutable version of the index. Writers copy what they
// change and publish a new snapshot; nothing reachable from a published
// snapshot is modified again.
type snapshot struct {
	hooks map[hookKey]*hook
	// buckets holds every trigger under its kind and name, "" standing for
	// "*" in either, so an event reads exactly four buckets.
	buckets map[bucketKey][]*trigger
}

type hookKey struct{ integration, name string }

type bucketKey struct{ kind, name string }

// hook is a compiled ResourceHook.
type hook struct {
	key      hookKey
	targets  []Target // sorted, without duplicates
	triggers []*trigger
}

// Put adds a ResourceHook, or replaces the one with the same Integration and
// name. It refuses a hook that is not a ResourceHook in an Integration or
// whose spec does not validate (see ValidateSpec), leaving the index as it
// was. Put copies the index, which costs time in the number of hooks: saving
// a hook is rare and matching is not, so Match is what stays cheap.
func (x *Index) Put(r *api.ResourceInstance) error {
	h, err := compileHook(r)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cur.Store(x.cur.Load().with(h.key, h))
	return nil
}

// Delete removes a ResourceHook; deleting one the index lacks does nothing.
func (x *Index) Delete(integration, name string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	s := x.cur.Load()
	k := hookKey{integration, name}
	if _, ok := s.hooks[k]; ok {
		x.cur.Store(s.with(k, nil))
	}
}

// Replace makes the index hold exactly the given ResourceHooks, building it
// once instead of once per hook as repeated Puts would: it is how a server
// loads its hooks at start. A hook Put would refuse is left out, so one bad
// hook does not silence the others; the error names each one left out.
func (x *Index) Replace(hooks []*api.ResourceInstance) error {
	s := &snapshot{hooks: make(map[hookKey]*hook, len(hooks)), buckets: map[bucketKey][]*trigger{}}
	var errs []error
	for _, r := range hooks {
		h, err := compileHook(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("ResourceHook %q in Integration %q: %w", r.Name, r.ScopeName(), err))
			continue
		}
		if old := s.hooks[h.key]; old != nil {
			s.remove(old)
		}
		s.hooks[h.key] = h
		for _, t := range h.triggers {
			s.buckets[t.bucket] = append(s.buckets[t.bucket], t)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cur.Store(s)
	return errors.Join(errs...)
}

// Len returns the number of ResourceHooks in the index.
func (x *Index) Len() int { return len(x.cur.Load().hooks) }

// with returns a copy of s in which the hook under k is h, or is gone when h
// is nil. Only the buckets the old or the new hook uses get new slices; the
// others are shared with s.
func (s *snapshot) with(k hookKey, h *hook) *snapshot {
	n := &snapshot{hooks: maps.Clone(s.hooks), buckets: maps.Clone(s.buckets)}
	if old := s.hooks[k]; old != nil {
		n.remove(old)
	}
	delete(n.hooks, k)
	if h == nil {
		return n
	}
	n.hooks[k] = h
	for _, t := range h.triggers {
		b := n.buckets[t.bucket]
		// The full slice expression makes append copy rather than write
		// into an array that s, and so running Matches, still read.
		n.buckets[t.bucket] = append(b[:len(b):len(b)], t)
	}
	return n
}

// remove takes h's triggers out of s's buckets, building new slices so that
// snapshots sharing the old ones are untouched.
func (s *snapshot) remove(h *hook) {
	for _, t := range h.triggers {
		old, ok := s.buckets[t.bucket]
		if !ok {
			continue // an earlier trigger of h emptied this bucket
		}
		kept := make([]*trigger, 0, len(old))
		for _, o := range old {
			if o.hook != h {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 {
			delete(s.buckets, t.bucket)
		} else {
			s.buckets[t.bucket] = kept
		}
	}
}
