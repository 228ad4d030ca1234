package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

// change is one request's write transaction: every resource it writes gets
// the next sequence id as resourceVersion and an event under the same id,
// seen by the EventSink before commit.
type change struct {
	s      *Server
	ctx    context.Context
	tx     store.Tx
	now    api.Time
	events []*api.Event
	// last is the resource written last and lastJSON its encoding as
	// stored, which is also the answer to a request that wrote it.
	last     *api.ResourceInstance
	lastJSON []byte
}

// update runs fn in a write transaction and tells the sink how it ended.
func (s *Server) update(r *http.Request, fn func(c *change) error) error {
	return s.transact(r.Context(), fn)
}

// transact runs fn in a write transaction, for requests and for the
// server's own changes (the dispatcher disabling a webhook).
func (s *Server) transact(ctx context.Context, fn func(c *change) error) error {
	var events []*api.Event
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		c := &change{s: s, ctx: ctx, tx: tx, now: api.NewTime(s.now())}
		err := fn(c)
		events = c.events
		return err
	})
	if len(events) > 0 && s.Sink != nil {
		s.Sink.Settled(ctx, events, err == nil)
	}
	if err == nil && s.Observer != nil {
		s.Observer.Events(events)
	}
	return err
}

// write stores r (created, updated or deleted) and appends its event. sub
// names the subresource of a SubResourceUpdated event.
func (c *change) write(typ api.EventType, r *api.ResourceInstance, sub string) error {
	seq, err := c.tx.SequenceNext(c.ctx, c.s.Org)
	if err != nil {
		return err
	}
	r.Metadata.ResourceVersion = strconv.FormatInt(seq, 10)
	if typ != api.ResourceCreated {
		r.Metadata.Audit.ModifyTimestamp = c.now
		r.Metadata.Audit.ModifyUserID = c.s.UserID
	}
	// Encoded once: what is stored, the event's payload and, for a create,
	// the answer (see createdBody).
	payload, err := json.Marshal(r)
	if err != nil {
		return err
	}
	switch typ {
	case api.ResourceCreated:
		err = c.tx.ResourceCreate(c.ctx, c.s.Org, r, payload)
	case api.ResourceDeleted:
		err = c.tx.ResourceDelete(c.ctx, store.KeyOf(c.s.Org, r))
	default:
		err = c.tx.ResourceUpdate(c.ctx, c.s.Org, r, payload)
	}
	if err != nil {
		return err
	}
	c.last, c.lastJSON = r, payload
	if payload, err = eventPayload(r, payload); err != nil {
		return err
	}
	ev := &api.Event{
		ID: api.NewEventID(c.now.Time), Time: c.now, Version: api.EventVersion, Product: api.EventProduct,
		CorrelationID: correlationID(c.ctx), Organization: api.Organization{ID: c.s.Org},
		Type: typ, Payload: payload, Metadata: &api.EventMetadata{SequenceID: seq, Subresource: sub},
	}
	if err := c.tx.EventAppend(c.ctx, c.s.Org, ev); err != nil {
		return err
	}
	c.events = append(c.events, ev)
	if c.s.Sink != nil {
		return c.s.Sink.EventAppended(c.ctx, c.tx, ev, r)
	}
	return nil
}

// eventPayload is what an event carries of r, given r as stored: a
// Secret's values never leave the server in an event, since every webhook
// whose trigger matches Secret (or *) would receive them and the event log
// would keep them (api.RedactSecret).
func eventPayload(r *api.ResourceInstance, stored []byte) ([]byte, error) {
	if r.Group != registry.Group || r.Kind != "Secret" {
		return stored, nil
	}
	return json.Marshal(api.RedactSecret(r))
}

// emitTo appends an event whose payload is not a resource (a
// SubscriptionUpdatedEvent) about r, for the named webhooks.
func (c *change) emitTo(typ api.EventType, payload any, r *api.ResourceInstance, targets []api.WebhookRef) error {
	seq, err := c.tx.SequenceNext(c.ctx, c.s.Org)
	if err != nil {
		return err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	ev := &api.Event{
		ID: api.NewEventID(c.now.Time), Time: c.now, Version: api.EventVersion, Product: api.EventProduct,
		CorrelationID: correlationID(c.ctx), Organization: api.Organization{ID: c.s.Org},
		Type: typ, Payload: body, Metadata: &api.EventMetadata{SequenceID: seq},
	}
	if err := c.tx.EventAppend(c.ctx, c.s.Org, ev); err != nil {
		return err
	}
	c.events = append(c.events, ev)
	if c.s.Sink != nil {
		return c.s.Sink.EventTargeted(c.ctx, c.tx, ev, r, targets)
	}
	return nil
}

// get reads one resource of the target's kind, or returns the Amplify 404.
func (c *change) get(kind *registry.Kind, scopeKind, scopeName, name string) (*api.ResourceInstance, error) {
	return getResource(c.ctx, c.tx, c.s.Org, kind, scopeKind, scopeName, name)
}

func getResource(ctx context.Context, tx store.Tx, org string, kind *registry.Kind, scopeKind, scopeName, name string) (*api.ResourceInstance, error) {
	r, err := tx.ResourceGet(ctx, store.Key{Org: org, Group: registry.Group, Kind: kind.Kind, ScopeKind: scopeKind, ScopeName: scopeName, Name: name})
	if err == store.ErrNotFound {
		return nil, notFound(kind.Kind, name, scopeKind, scopeName)
	}
	return r, err
}

// scope reads the scope resource a scoped target lives in: a missing scope
// is a 404 like a missing resource.
func (c *change) scope(t target) (*api.ResourceInstance, error) {
	if t.scopeKind == nil {
		return nil, nil
	}
	return c.get(t.scopeKind, "", "", t.scopeName)
}
