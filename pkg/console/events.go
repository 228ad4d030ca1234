package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/centralhq/central/pkg/api"
)

// eventScan bounds how many of the latest events a resource page reads to
// find the resource's own: the log has no filter by resource.
const eventScan = 500

// eventRow is one event about a resource.
type eventRow struct {
	Sequence      int64
	Time          api.Time
	Type          string
	Subresource   string
	CorrelationID string
	// Link is the event's own page.
	Link string
}

// eventsOf returns the events about res among the latest eventScan of the
// log, newest first, and how many were read.
func (c *console) eventsOf(ctx context.Context, s *session, res *api.ResourceInstance) ([]eventRow, int, error) {
	var evs []api.Event
	q := url.Values{"sort": {"sequenceID,DESC"}, "pageSize": {fmt.Sprint(eventScan)}}
	if _, err := s.api.Do(ctx, http.MethodGet, "/events", q, nil, &evs); err != nil {
		return nil, 0, err
	}
	var out []eventRow
	for _, ev := range evs {
		if !eventIsAbout(ev, res) {
			continue
		}
		row := eventRow{Time: ev.Time, Type: string(ev.Type), CorrelationID: ev.CorrelationID}
		if ev.Metadata != nil {
			row.Sequence, row.Subresource = ev.Metadata.SequenceID, ev.Metadata.Subresource
			row.Link = eventLink(row.Sequence)
		}
		out = append(out, row)
	}
	return out, len(evs), nil
}

// eventSubject is the resource an event is about, as its payload names it.
type eventSubject struct {
	// Group is empty for a SubscriptionUpdatedEvent, whose payload does not
	// name it.
	Group, Kind, Name    string
	ScopeKind, ScopeName string
	// ID is the resource's metadata.id, to tell it from a resource made
	// again under the same name.
	ID string
}

// subjectOf reads the resource an event is about from its payload: the
// resource itself, or for a SubscriptionUpdatedEvent, the subscription it
// carries (in its consumer instance's scope). ok is false for a payload
// that names none.
func subjectOf(ev api.Event) (sub eventSubject, ok bool) {
	var p struct {
		Group    string `json:"group"`
		Kind     string `json:"kind"`
		Name     string `json:"name"`
		Metadata struct {
			ID    string     `json:"id"`
			Scope *api.Scope `json:"scope"`
		} `json:"metadata"`
		Subscription     *api.EventSubscription     `json:"subscription"`
		ConsumerInstance *api.EventConsumerInstance `json:"consumerInstance"`
	}
	if json.Unmarshal(ev.Payload, &p) != nil {
		return sub, false
	}
	if ev.Type == api.SubscriptionUpdatedEvent {
		if p.Subscription == nil || p.ConsumerInstance == nil {
			return sub, false
		}
		sc := p.ConsumerInstance.Metadata.Scope
		return eventSubject{Kind: "Subscription", Name: p.Subscription.Name, ScopeKind: sc.Kind, ScopeName: sc.Name,
			ID: p.Subscription.ID}, true
	}
	sub = eventSubject{Group: p.Group, Kind: p.Kind, Name: p.Name, ID: p.Metadata.ID}
	if p.Metadata.Scope != nil {
		sub.ScopeKind, sub.ScopeName = p.Metadata.Scope.Kind, p.Metadata.Scope.Name
	}
	return sub, sub.Kind != "" && sub.Name != ""
}

// eventIsAbout reports whether an event's payload is the resource: same
// group, kind, name and scope.
func eventIsAbout(ev api.Event, res *api.ResourceInstance) bool {
	sub, ok := subjectOf(ev)
	return ok && (sub.Group == "" || sub.Group == res.Group) && sub.Kind == res.Kind && sub.Name == res.Name &&
		sub.ScopeKind == res.ScopeKind() && sub.ScopeName == res.ScopeName()
}
