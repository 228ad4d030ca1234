package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
)

// Writes that return nothing wait for the transaction's next statement,
// so an event and its deliveries are one round trip with BEGIN and COMMIT,
// BEGIN costs none of its own, and a transaction that does nothing costs
// none at all.
func TestTransactionRoundTrips(t *testing.T) {
	s, count, check := openCounted(t, "round trips")
	var err error
	ctx := context.Background()
	t0 := time.UnixMilli(1_700_000_000_000)
	hook := api.WebhookRef{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	check("an event and its deliveries", count.tripsDuring(func() {
		err = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.EventAppend(ctx, "org1", &api.Event{ID: "ev", Metadata: &api.EventMetadata{SequenceID: 1}}); err != nil {
				return err
			}
			return tx.DeliveryInsert(ctx, []*store.Delivery{pendingDelivery("d1", hook, t0)}, true)
		})
	}), 1)
	if err != nil {
		t.Fatal(err)
	}
	check("a transaction that does nothing", count.tripsDuring(func() {
		err = s.Update(ctx, func(store.Tx) error { return nil })
	}), 0)
	var events []*api.Event
	check("a read", count.tripsDuring(func() {
		err = s.View(ctx, func(tx store.Tx) error {
			events, err = tx.EventList(ctx, store.EventFilter{Org: "org1"})
			return err
		})
	}), 2) // BEGIN with the read; COMMIT
	if err != nil || len(events) != 1 {
		t.Fatalf("events %d: %v", len(events), err)
	}
	var claimed []*store.Claimed
	check("a claim", count.tripsDuring(func() {
		err = s.Update(ctx, func(tx store.Tx) error {
			claimed, err = tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 10})
			return err
		})
	}), 2) // BEGIN with the candidates; the lease with COMMIT
	if err != nil || len(claimed) != 1 || string(claimed[0].Envelope) == "" {
		t.Fatalf("claimed %v: %v", claimed, err)
	}
}

// A queued write that fails fails its transaction: the call that sends it,
// or the commit, returns its error, and nothing the transaction wrote is
// kept.
func TestQueuedWriteFailsItsTransaction(t *testing.T) {
	s, err := postgres.Open(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	t0 := time.UnixMilli(1_700_000_000_000)
	hook := api.WebhookRef{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	insert := func(tx store.Tx, seq int64, id string) error {
		if err := tx.EventAppend(ctx, "org1", &api.Event{ID: id, Metadata: &api.EventMetadata{SequenceID: seq}}); err != nil {
			return err
		}
		return tx.DeliveryInsert(ctx, []*store.Delivery{pendingDelivery(id, hook, t0)}, false)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return insert(tx, 1, "d1") }); err != nil {
		t.Fatal(err)
	}
	// At commit: a second event under sequence 1 and a delivery whose id is taken.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := insert(tx, 2, "d2"); err != nil {
			return err
		}
		return insert(tx, 1, "d1")
	})
	if err == nil {
		t.Fatal("commit of a duplicate event and delivery succeeded")
	}
	// At the next awaited statement, which must not run.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := insert(tx, 1, "d3"); err != nil {
			return err
		}
		_, err := tx.DeliveryGet(ctx, "org1", "d1")
		return err
	})
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a read after a failed queued write returned %v", err)
	}
	err = s.View(ctx, func(tx store.Tx) error {
		for _, id := range []string{"d2", "d3"} {
			if _, err := tx.DeliveryGet(ctx, "org1", id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delivery %s of a failed transaction: %v", id, err)
			}
		}
		evs, err := tx.EventList(ctx, store.EventFilter{Org: "org1"})
		if len(evs) != 1 {
			t.Errorf("%d events kept, want 1", len(evs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The store still works.
	if err := s.Update(ctx, func(tx store.Tx) error { return insert(tx, 2, "d2") }); err != nil {
		t.Fatal(err)
	}
}

func pendingDelivery(id string, w api.WebhookRef, at time.Time) *store.Delivery {
	d := &store.Delivery{Org: "org1"}
	d.ID, d.EventID, d.SequenceID, d.Webhook, d.Status = id, id, 1, w, api.DeliveryPending
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(at), api.NewTime(at), api.NewTime(at)
	return d
}
