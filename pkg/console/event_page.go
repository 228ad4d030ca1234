package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// eventLink is the console page of the event with sequence id seq.
//
// Events are addressed by sequence id, not by their id: the sequence id is
// the log's key, so the API reads one event by it at the cost of one row
// (query=sequenceID>N-1, pageSize=1), while no index finds an event by id.
func eventLink(seq int64) string {
	return "/console/events/" + strconv.FormatInt(seq, 10)
}

// eventPage is the data of one event's page.
type eventPage struct {
	Ev          api.Event
	Sequence    int64
	Subresource string
	// Resource names what the event is about; ResourceLink is its page,
	// empty when it no longer exists (or the payload names none).
	Resource     string
	ResourceLink string
	// JSON is the whole envelope, indented.
	JSON string
	// Deliveries are the event's, to every webhook it went to (the first
	// eventDeliveries of Total, newest first).
	Deliveries []deliveryRow
	Total      int
}

// eventDeliveries is how many of an event's deliveries its page lists: one
// per webhook its hooks matched, so rarely more than a few.
const eventDeliveries = 100

func (c *console) eventShow(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq < 1 {
		return nil, notFound(fmt.Sprintf("There is no event %q: events are numbered by their sequence id, from 1.", r.PathValue("seq")))
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	evs, err := s.api.Events(ctx, seq-1, 1)
	if err != nil {
		return nil, err
	}
	// The next event after seq-1 is another one when seq has none.
	if len(evs) == 0 || evs[0].Metadata == nil || evs[0].Metadata.SequenceID != seq {
		return nil, notFound(fmt.Sprintf("The event log has no event with sequence id %d.", seq))
	}
	ev := evs[0]
	page := eventPage{Ev: *ev, Sequence: seq, Subresource: ev.Metadata.Subresource}
	// Indented, but escaped as stored (json.Marshal writes "<" as "\u003c"),
	// so the strings read as the receivers got them.
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return nil, err
	}
	page.JSON = string(b)
	if sub, ok := subjectOf(*ev); ok {
		ref := api.ResourceRef{Kind: sub.Kind, Name: sub.Name}
		if sub.ScopeName != "" {
			ref.Scope = &api.ScopeRef{Kind: sub.ScopeKind, Name: sub.ScopeName}
		}
		page.Resource = resourceText(ref)
		if page.ResourceLink, err = c.subjectLink(ctx, s, sub); err != nil {
			return nil, err
		}
	}
	if page.Deliveries, page.Total, err = c.eventDeliveryRows(ctx, s, ev.ID); err != nil {
		return nil, err
	}
	return &view{Template: "event", Title: fmt.Sprintf("Event %d", seq), Data: page}, nil
}

// eventDeliveryRows lists an event's deliveries, linking the webhooks that
// still exist.
func (c *console) eventDeliveryRows(ctx context.Context, s *session, eventID string) ([]deliveryRow, int, error) {
	list, total, err := listDeliveries(ctx, s.api, url.Values{"eventId": {eventID}, "pageSize": {strconv.Itoa(eventDeliveries)}})
	if err != nil || len(list) == 0 {
		return nil, 0, err
	}
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, 0, err
	}
	hooks, err := listWebhooks(ctx, s.api, p)
	if err != nil {
		return nil, 0, err
	}
	return deliveryRows(list, webhookSet(hooks)), total, nil
}

// subjectLink returns the console page of the resource an event is about,
// or "" when it no longer exists: deleted, or made again under the same
// name (another metadata.id), which is not the resource the event was about.
func (c *console) subjectLink(ctx context.Context, s *session, sub eventSubject) (string, error) {
	p, err := c.paths(ctx, s)
	if err != nil {
		return "", err
	}
	for _, d := range p.set.Definitions {
		if d.Kind != sub.Kind || d.ScopeKind != sub.ScopeKind || (sub.Group != "" && d.Group != sub.Group) {
			continue
		}
		res, err := s.api.Get(ctx, p.set.Path(d, sub.ScopeName, sub.Name))
		if client.HasStatus(err, http.StatusNotFound) || (err == nil && sub.ID != "" && res.Metadata.ID != sub.ID) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return resourceLink(d.Group, d.Plural, d.ScopeKind, sub.ScopeName, sub.Name), nil
	}
	return "", nil // a kind the server no longer serves
}
