package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// TestWebhook sends an example event of type typ to a webhook now, records
// it as a delivery with one "test" attempt (never retried, and not counted
// in the webhook's health, though the metrics count it as any attempt), and
// returns it with its history.
func (d *Dispatcher) TestWebhook(ctx context.Context, org string, w api.WebhookRef, typ api.EventType) (*api.Delivery, error) {
	ev, ref := ExampleEvent(org, typ)
	now := api.NewTime(d.now())
	del := &store.Delivery{Org: org}
	del.ID, del.EventID, del.EventType = NewDeliveryID(now.Time), ev.ID, ev.Type
	del.Resource, del.Webhook, del.Status = ref, w, api.DeliveryFailed
	del.CreatedAt, del.UpdatedAt = now, now
	envelope, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	c := &store.Claimed{Delivery: *del, Envelope: envelope}
	f := d.attempt(ctx, c, api.TriggerTest, nil)
	var out *api.Delivery
	err = d.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeliveryInsert(ctx, []*store.Delivery{del}, true); err != nil {
			return err
		}
		if err := tx.DeliveryFinish(ctx, []store.AttemptResult{f.res}); err != nil {
			return err
		}
		var err error
		out, err = tx.DeliveryGet(ctx, org, del.ID)
		return err
	})
	if err == nil && d.Observer != nil {
		d.Observer.Attempt(w, f.res.Attempt, f.res.Status)
	}
	return out, err
}

// ExampleEvent builds an event of type typ about an example APIService, for
// tests and for "central hooks events".
func ExampleEvent(org string, typ api.EventType) (*api.Event, api.ResourceRef) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	now := api.NewTime(time.Now())
	r := api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "APIService", Name: "example-api",
		Title: "Example API", Spec: json.RawMessage(`{"description":"An example sent by central hooks test."}`)}
	r.Metadata = api.Metadata{ID: fmt.Sprintf("%x", b[:]), ResourceVersion: "1",
		Audit:    api.Audit{CreateTimestamp: now, CreateUserID: "admin", ModifyTimestamp: now, ModifyUserID: "admin"},
		Scope:    &api.Scope{Kind: "Environment", Name: "example-env", SelfLink: "/management/v1/environments/example-env"},
		SelfLink: "/management/v1/environments/example-env/apiservices/example-api"}
	ev := &api.Event{ID: api.NewEventID(now.Time), Time: now,
		Version: api.EventVersion, Product: api.EventProduct, CorrelationID: "test", Organization: api.Organization{ID: org}, Type: typ}
	if typ == api.SubResourceUpdated {
		r.SubResources = map[string]json.RawMessage{"x-compliance": json.RawMessage(`{"compliant":true}`)}
		ev.Metadata = &api.EventMetadata{Subresource: "x-compliance"}
	}
	ev.Payload, _ = json.Marshal(r)
	return ev, api.ResourceRef{Group: r.Group, Kind: r.Kind, Name: r.Name, Scope: &api.ScopeRef{Kind: "Environment", Name: "example-env"}}
}
