package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/store"
)

// queueBacklog writes events and their pending deliveries straight into the
// store, as the Enqueuer would have in each event's transaction, but in big
// batches: events events, each with perEvent deliveries to every webhook in
// targets, carrying the webhooks' maxInFlight (0: the default) as the
// Enqueuer copies it from the spec. It is how a backlog is made without
// waiting for the API, and is done before the dispatcher starts so that
// draining is measured alone.
func queueBacklog(ctx context.Context, st store.Store, org string, events, perEvent, maxInFlight int, targets ...api.WebhookRef) (time.Duration, error) {
	start := time.Now()
	// SQLite binds at most 32,766 parameters per statement, 17 a delivery.
	const insertChunk, txDeliveries = 1000, 20000
	for done := 0; done < events; {
		n := min(max(txDeliveries/(perEvent*len(targets)), 1), events-done)
		err := st.Update(ctx, func(tx store.Tx) error {
			var ds []*store.Delivery
			for i := range n {
				now := time.Now()
				seq, err := tx.SequenceNext(ctx, org)
				if err != nil {
					return err
				}
				res := environment(fmt.Sprintf("backlog-%d", done+i), seq, now)
				ev := createdEvent(org, res, seq, now)
				if err := tx.EventAppend(ctx, org, ev); err != nil {
					return err
				}
				ref := api.ResourceRef{Group: res.Group, Kind: res.Kind, Name: res.Name}
				for range perEvent {
					for _, wh := range targets {
						d := &store.Delivery{Org: org}
						d.ID, d.EventID, d.EventType, d.SequenceID = dispatch.NewDeliveryID(now), ev.ID, ev.Type, seq
						d.Resource, d.Webhook, d.Status, d.MaxInFlight = ref, wh, api.DeliveryPending, maxInFlight
						d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(now), api.NewTime(now), api.NewTime(now)
						ds = append(ds, d)
					}
				}
				for len(ds) >= insertChunk {
					if err := tx.DeliveryInsert(ctx, ds[:insertChunk], true); err != nil {
						return err
					}
					ds = ds[insertChunk:]
				}
			}
			return tx.DeliveryInsert(ctx, ds, true)
		})
		if err != nil {
			return time.Since(start), fmt.Errorf("queueing the backlog: %w", err)
		}
		done += n
	}
	return time.Since(start), nil
}
