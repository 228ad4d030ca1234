package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// queueDeliveries appends n events, each with one delivery to one of three
// webhooks, and returns the delivery ids.
func queueDeliveries(t *testing.T, s store.Store, n int) map[string]bool {
	t.Helper()
	ctx := context.Background()
	ids := map[string]bool{}
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			seq, err := tx.SequenceNext(ctx, "org1")
			if err != nil {
				return err
			}
			ev := &api.Event{ID: fmt.Sprint("ev-", seq), Type: api.ResourceCreated, Payload: json.RawMessage(`{}`),
				Metadata: &api.EventMetadata{SequenceID: seq}}
			if err := tx.EventAppend(ctx, "org1", ev); err != nil {
				return err
			}
			d := &store.Delivery{Org: "org1"}
			d.ID, d.EventID, d.EventType, d.SequenceID = fmt.Sprintf("d-%04d", seq), ev.ID, ev.Type, seq
			d.Webhook = api.WebhookRef{Name: fmt.Sprint("hook", i%3), Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
			d.Status, d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.DeliveryPending, api.NewTime(t0), api.NewTime(t0), api.NewTime(t0)
			if err := tx.DeliveryInsert(ctx, []*store.Delivery{d}, true); err != nil {
				return err
			}
			ids[d.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// Two replicas (two Store handles on one schema), each with two claiming
// goroutines, must share the work without ever taking a delivery twice.
func TestConcurrentClaimersNeverShare(t *testing.T) {
	dsn := freshSchema(t)
	replicas := []store.Store{open(t, dsn), open(t, dsn)}
	want := queueDeliveries(t, replicas[0], 300)

	var mu sync.Mutex
	claimedBy := map[string]string{}
	var wg sync.WaitGroup
	for r, s := range replicas {
		for g := range 2 {
			owner := fmt.Sprintf("replica%d/%d", r, g)
			wg.Go(func() {
				for {
					var got []*store.Claimed
					err := s.Update(context.Background(), func(tx store.Tx) error {
						var err error
						got, err = tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: owner, Now: t0, Lease: time.Minute, Limit: 7})
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, c := range got {
						if other, ok := claimedBy[c.ID]; ok {
							t.Errorf("%s claimed by %s and %s", c.ID, other, owner)
						}
						var ev api.Event
						if err := json.Unmarshal(c.Envelope, &ev); err != nil || ev.Metadata.SequenceID != c.SequenceID {
							t.Errorf("%s came without its event: %s", c.ID, c.Envelope)
						}
						claimedBy[c.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(claimedBy) != len(want) {
		t.Fatalf("claimed %d of %d deliveries", len(claimedBy), len(want))
	}
	owners := map[string]int{}
	for _, o := range claimedBy {
		owners[o[:len("replica0")]]++
	}
	t.Logf("claims per replica: %v", owners)
}

// Write transactions on one organization run one after another, as with
// SQLite's single writer: concurrent read-modify-writes lose nothing.
func TestReadModifyWriteLosesNothing(t *testing.T) {
	dsn := freshSchema(t)
	a, b := open(t, dsn), open(t, dsn)
	ctx := context.Background()
	r := &api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "Environment", Name: "counter", Title: "0"}
	err := a.Update(ctx, func(tx store.Tx) error { return tx.ResourceCreate(ctx, "org1", r, nil) })
	if err != nil {
		t.Fatal(err)
	}
	k := store.KeyOf("org1", r)
	const each = 20
	var wg sync.WaitGroup
	for _, s := range []store.Store{a, a, b, b} {
		wg.Go(func() {
			for range each {
				err := s.Update(ctx, func(tx store.Tx) error {
					got, err := tx.ResourceGet(ctx, k)
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(got.Title)
					seq, err := tx.SequenceNext(ctx, "org1")
					if err != nil {
						return err
					}
					got.Title, got.Metadata.ResourceVersion = strconv.Itoa(n+1), strconv.FormatInt(seq, 10)
					return tx.ResourceUpdate(ctx, "org1", got, nil)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	err = a.View(ctx, func(tx store.Tx) error {
		got, err := tx.ResourceGet(ctx, k)
		if err == nil && got.Title != strconv.Itoa(4*each) {
			t.Errorf("after %d increments the counter is %s", 4*each, got.Title)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
