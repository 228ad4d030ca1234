package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/hooks"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

// watchTopicSpec is the spec of a WatchTopic: the events its filters match
// are the topic's part of the log, which the Amplify agent SDK's harvester
// reads to catch up.
type watchTopicSpec struct {
	Description string             `json:"description,omitempty"`
	Filters     []watchTopicFilter `json:"filters"`
}

// watchTopicFilter means what a ResourceHook trigger means, without its RSQL
// filter, and is matched by the same code (hooks.Matcher).
type watchTopicFilter struct {
	Group string            `json:"group"`
	Kind  string            `json:"kind"`
	Name  string            `json:"name"`
	Type  []string          `json:"type"`
	Scope *api.TriggerScope `json:"scope,omitempty"`
}

func (s *watchTopicSpec) triggers() []api.Trigger {
	ts := make([]api.Trigger, len(s.Filters))
	for i, f := range s.Filters {
		ts[i] = api.Trigger{Group: f.Group, Kind: f.Kind, Name: f.Name, Type: f.Type, Scope: f.Scope}
	}
	return ts
}

// validateWatchTopic checks a WatchTopic's filters as a ResourceHook's
// triggers are checked, but for one thing: a group, kind or scope kind this
// server does not serve is allowed (such a filter matches nothing), because
// the agent SDK's topics always name kinds of its own, such as Credential
// and ManagedApplication, and refusing them would refuse the agents.
func validateWatchTopic(spec json.RawMessage) error {
	var wt watchTopicSpec
	if err := json.Unmarshal(spec, &wt); err != nil {
		return invalid("/spec", "The WatchTopic spec is malformed: %v.", err)
	}
	if len(wt.Filters) == 0 {
		return invalid("/spec/filters", "A WatchTopic needs at least one filter.")
	}
	for i, t := range wt.triggers() {
		at := fmt.Sprintf("/spec/filters/%d", i)
		if t.Kind == "" {
			return invalid(at+"/kind", "Filter %d needs a kind (or \"*\").", i)
		}
		if err := checkTriggerNames(at, "Filter", i, t); err != nil {
			return err
		}
	}
	if _, err := hooks.NewMatcher(wt.triggers()); err != nil {
		var te *hooks.TriggerError
		if errors.As(err, &te) {
			return invalid(fmt.Sprintf("/spec/filters/%d/%s", te.Index, te.Field), "Filter %d: %v.", te.Index, te.Err)
		}
		return invalid("/spec/filters", "%v", err)
	}
	return nil
}

// handleWatchTopicEvents serves GET /events/management/{version}/watchtopics/{name},
// the agent SDK's harvester catch-up: the events of the log that the topic's
// filters match, with the parameters of /events plus page (page=P skips
// the first P-1 pages of matches after sequenceID>N). Each event's metadata
// names the topic. One request reads at most Server.MaxEventScan events of
// the log; ScannedSequenceHeader says how far it read. The log is never
// trimmed, so no sequence id is too old to ask for (Amplify answers 410 Gone
// for purged ones).
func (s *Server) handleWatchTopicEvents(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if t.kind.Kind != "WatchTopic" {
		return nil, errorf(http.StatusNotFound, "Only WatchTopics have events of their own: /events/%s/%s/watchtopics/{name}.", registry.Group, t.version)
	}
	q := r.URL.Query()
	p, err := parseEventParams(q)
	if err != nil {
		return nil, err
	}
	page := 1
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return nil, invalid("", "page must be a whole number from 1; got %q.", v)
		}
	}
	out := []*api.Event{}
	var scanned int64
	err = s.Store.View(r.Context(), func(tx store.Tx) error {
		topic, err := tx.ResourceGet(r.Context(), store.Key{Org: s.Org, Group: registry.Group, Kind: "WatchTopic", Name: t.name})
		if errors.Is(err, store.ErrNotFound) {
			return notFound("WatchTopic", t.name, "", "")
		}
		if err != nil {
			return err
		}
		m, err := watchTopicMatcher(topic)
		if err != nil {
			return err
		}
		meta := api.EventMetadata{
			WatchTopicID:       topic.Metadata.ID,
			WatchTopicSelfLink: registry.SelfLink(t.version, t.kind, "", "", topic.Name),
		}
		// A skip past what one request may read answers nothing whatever
		// its size, so it is cut there before it can overflow.
		skip := min(page-1, s.maxEventScan()) * p.pageSize
		matched := 0
		limit := func() int {
			if matched == 0 {
				return s.maxEventScan() * emptyScanFactor
			}
			return s.maxEventScan()
		}
		scanned, err = s.scanEvents(r.Context(), tx, p, limit, func(ev *api.Event) bool {
			if !m.Match(ev, eventResource(ev)) {
				return false
			}
			matched++
			if skip > 0 {
				skip--
				return false
			}
			md := meta
			md.SequenceID = sequenceOf(ev)
			if ev.Metadata != nil {
				md.Subresource = ev.Metadata.Subresource
			}
			ev.Metadata = &md
			out = append(out, ev)
			return len(out) == p.pageSize
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(ScannedSequenceHeader, strconv.FormatInt(scanned, 10))
	return response{status: http.StatusOK, body: out, headers: h}, nil
}

// watchTopicMatcher compiles a stored topic's filters. A topic stored before
// the server checked them may hold a bad one: that is the topic's fault, not
// the request's, and the answer says how to mend it.
func watchTopicMatcher(topic *api.ResourceInstance) (*hooks.Matcher, error) {
	var spec watchTopicSpec
	if len(topic.Spec) > 0 {
		if err := json.Unmarshal(topic.Spec, &spec); err != nil {
			return nil, errorf(http.StatusConflict, "WatchTopic %s has a malformed spec (%v); correct it with a PUT.", topic.Name, err)
		}
	}
	m, err := hooks.NewMatcher(spec.triggers())
	if te := (*hooks.TriggerError)(nil); errors.As(err, &te) {
		return nil, errorf(http.StatusConflict, "WatchTopic %s has a bad filter %d (%v); correct it with a PUT.", topic.Name, te.Index, te.Err)
	}
	return m, err
}

// eventResource decodes what a filter reads of an event's payload: group,
// kind, name and scope. It returns nil, which matches nothing, when the
// payload is not a resource.
func eventResource(ev *api.Event) *api.ResourceInstance {
	var res struct {
		Group    string `json:"group"`
		Kind     string `json:"kind"`
		Name     string `json:"name"`
		Metadata struct {
			Scope *api.Scope `json:"scope"`
		} `json:"metadata"`
	}
	if json.Unmarshal(ev.Payload, &res) != nil {
		return nil
	}
	return &api.ResourceInstance{Group: res.Group, Kind: res.Kind, Name: res.Name, Metadata: api.Metadata{Scope: res.Metadata.Scope}}
}
