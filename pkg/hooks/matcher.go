package hooks

import "github.com/centralhq/central/pkg/api"

// Matcher tests events one at a time against a list of triggers, without
// an Index and without webhooks. A WatchTopic's filters are such a list:
// they mean what a ResourceHook's triggers mean, so they are compiled and
// tested by the same code, and an event a hook would catch is one a topic
// with the same filter lists.
type Matcher struct {
	triggers []*trigger
}

// NewMatcher compiles triggers. A bad one gives a *TriggerError naming its
// position and field; it is the check ValidateSpec makes.
func NewMatcher(triggers []api.Trigger) (*Matcher, error) {
	m := &Matcher{triggers: make([]*trigger, 0, len(triggers))}
	for i, t := range triggers {
		c, err := compileTrigger(t)
		if err != nil {
			err.Index = i
			return nil, err
		}
		m.triggers = append(m.triggers, c)
	}
	return m, nil
}

// Match reports whether any trigger catches ev, an event about r, by the
// rules of Index.Match: group, kind and name equal or "*", the event's type
// among the trigger's (SubResourceUpdated counts as "updated"), the scope
// when the trigger has one, then the filter. Events of other types, such as
// SubscriptionUpdatedEvent, match nothing.
func (m *Matcher) Match(ev *api.Event, r *api.ResourceInstance) bool {
	typ, ok := eventTypes[ev.Type]
	if !ok || r == nil {
		return false
	}
	var (
		doc     map[string]any
		decoded bool
	)
	for _, t := range m.triggers {
		if !t.names(r) || !t.matches(typ, r) {
			continue
		}
		if t.filter != nil {
			if !decoded {
				doc, decoded = envelope(ev), true
			}
			if doc == nil || !t.filter.Match(doc) {
				continue
			}
		}
		return true
	}
	return false
}

// names is the test an Index's buckets make: the trigger names r's kind and
// name, or "*".
func (t *trigger) names(r *api.ResourceInstance) bool {
	return (t.bucket.kind == "" || t.bucket.kind == r.Kind) && (t.bucket.name == "" || t.bucket.name == r.Name)
}
