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
		}
		out = append(out, row)
	}
	return out, len(evs), nil
}

// eventIsAbout reports whether an event's payload is the resource: same
// group, kind, name and scope. A SubscriptionUpdatedEvent carries the
// subscription inside its payload instead.
func eventIsAbout(ev api.Event, res *api.ResourceInstance) bool {
	var p struct {
		Group    string `json:"group"`
		Kind     string `json:"kind"`
		Name     string `json:"name"`
		Metadata struct {
			Scope *api.Scope `json:"scope"`
		} `json:"metadata"`
		Subscription     *api.EventSubscription     `json:"subscription"`
		ConsumerInstance *api.EventConsumerInstance `json:"consumerInstance"`
	}
	if json.Unmarshal(ev.Payload, &p) != nil {
		return false
	}
	if ev.Type == api.SubscriptionUpdatedEvent {
		return res.Kind == "Subscription" && p.Subscription != nil && p.Subscription.Name == res.Name &&
			p.ConsumerInstance != nil && p.ConsumerInstance.Metadata.Scope.Name == res.ScopeName()
	}
	if p.Group != res.Group || p.Kind != res.Kind || p.Name != res.Name {
		return false
	}
	var kind, name string
	if p.Metadata.Scope != nil {
		kind, name = p.Metadata.Scope.Kind, p.Metadata.Scope.Name
	}
	return kind == res.ScopeKind() && name == res.ScopeName()
}
