package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/sqlite"
)

var benchHook = api.WebhookRef{Name: "wh", Scope: api.ScopeRef{Kind: "Integration", Name: "bench"}}

// fill queues n events of about 1 KiB with one pending delivery each, due
// spread apart by step (0: all due at the same millisecond), the last one
// now. Benchmarks call it again when they run low, with the timer stopped.
func fill(b *testing.B, s store.Store, n int, step time.Duration) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().Add(-time.Duration(n) * step)
	payload := json.RawMessage(`{"kind":"Environment","name":"e","spec":{"description":"` + strings.Repeat("x", 800) + `"}}`)
	for done := 0; done < n; {
		err := s.Update(ctx, func(tx store.Tx) error {
			var ds []*store.Delivery
			for i := 0; i < 500 && done+i < n; i++ {
				seq, err := tx.SequenceNext(ctx, "org")
				if err != nil {
					return err
				}
				ev := &api.Event{ID: fmt.Sprint("ev-", seq), Type: api.ResourceCreated, Payload: payload, Metadata: &api.EventMetadata{SequenceID: seq}}
				if err := tx.EventAppend(ctx, "org", ev); err != nil {
					return err
				}
				d := &store.Delivery{Org: "org"}
				d.ID, d.EventID, d.EventType, d.SequenceID = fmt.Sprintf("dlv-%09d", seq), ev.ID, ev.Type, seq
				d.Resource, d.Webhook, d.Status = api.ResourceRef{Group: "management", Kind: "Environment", Name: "e"}, benchHook, api.DeliveryPending
				due := api.NewTime(now.Add(time.Duration(done+i) * step))
				d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = due, due, due
				ds = append(ds, d)
			}
			done += len(ds)
			return tx.DeliveryInsert(ctx, ds, true)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// open opens a store in a fresh directory, closed at the end of tb.
func open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "central.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkClaimFinish is the dispatcher's store work per batch: claim up
// to 32 due deliveries in one transaction, then record 32 successes in
// another. ns/op divided by 32 is the store's cost per delivery. With
// "due=same" every delivery of the backlog is due at the same millisecond
// (a burst), which the claim's ORDER BY next_at, event_seq must sort whole.
func BenchmarkClaimFinish(b *testing.B) {
	for _, bc := range []struct {
		name string
		step time.Duration
	}{{"due=spread", time.Millisecond}, {"due=same", 0}} {
		b.Run(bc.name, func(b *testing.B) { claimFinish(b, bc.step) })
	}
}

func claimFinish(b *testing.B, step time.Duration) {
	const batch = 32
	const backlog = 50_000
	s := open(b)
	ctx := context.Background()
	fill(b, s, backlog, step)
	b.ReportAllocs()
	for b.Loop() {
		var claimed []*store.Claimed
		err := s.Update(ctx, func(tx store.Tx) error {
			var err error
			claimed, err = tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "bench", Now: time.Now(), Lease: time.Minute, Limit: batch})
			return err
		})
		if err == nil && len(claimed) == 0 {
			b.StopTimer() // the backlog is drained (a long -benchtime)
			fill(b, s, backlog, step)
			b.StartTimer()
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		rs := make([]store.AttemptResult, len(claimed))
		for i, c := range claimed {
			rs[i] = store.AttemptResult{Org: "org", DeliveryID: c.ID, Webhook: c.Webhook, Status: api.DeliverySucceeded,
				Attempt: api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(time.Now()), StatusCode: 204}}
		}
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.DeliveryFinish(ctx, rs) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWebhookRead is what the dispatcher reads before each attempt:
// the webhook and its signing secret, in a read transaction.
func BenchmarkWebhookRead(b *testing.B) {
	s := open(b)
	ctx := context.Background()
	now := api.NewTime(time.Now())
	scope := &api.Scope{Kind: "Integration", Name: "bench"}
	for _, r := range []*api.ResourceInstance{
		{Group: "management", APIVersion: "v1", Kind: "Webhook", Name: "wh", Metadata: api.Metadata{ID: "1", Scope: scope, ResourceVersion: "1", Audit: api.Audit{CreateTimestamp: now}},
			Spec: json.RawMessage(`{"enabled":true,"url":"http://127.0.0.1:9/hook","signing":{"secret":"wh-signing"}}`)},
		{Group: "management", APIVersion: "v1", Kind: "Secret", Name: "wh-signing", Metadata: api.Metadata{ID: "2", Scope: scope, ResourceVersion: "2", Audit: api.Audit{CreateTimestamp: now}},
			Spec: json.RawMessage(`{"data":{"current":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}`)},
	} {
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.ResourceCreate(ctx, "org", r, nil) }); err != nil {
			b.Fatal(err)
		}
	}
	key := func(kind, name string) store.Key {
		return store.Key{Org: "org", Group: "management", Kind: kind, ScopeKind: "Integration", ScopeName: "bench", Name: name}
	}
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(ctx, func(tx store.Tx) error {
			if _, err := tx.ResourceGet(ctx, key("Webhook", "wh")); err != nil {
				return err
			}
			_, err := tx.ResourceGet(ctx, key("Secret", "wh-signing"))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTurn is one dispatcher turn under a backlog to one webhook, as
// the embedded store sees it with claims running ahead: 160 deliveries
// leased, and each turn records the 32 oldest results and claims 32 more
// for the same webhook, in one transaction. ns/op divided by 32 is the
// writer's time per delivery.
func BenchmarkTurn(b *testing.B) {
	const batch, leased, backlog = 32, 160, 60_000
	s := open(b)
	ctx := context.Background()
	fill(b, s, backlog, time.Millisecond)
	left := backlog - leased
	claim := func(tx store.Tx, n int) ([]*store.Claimed, error) {
		return tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "bench", Now: time.Now(), Lease: time.Minute, Limit: n,
			Only: &benchHook, OnlyOrg: "org", Accept: func(*store.Delivery, int) bool { return true }})
	}
	var inFlight []*store.Claimed
	if err := s.Update(ctx, func(tx store.Tx) (err error) { inFlight, err = claim(tx, leased); return err }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if left < batch { // the backlog is drained (a long -benchtime)
			b.StopTimer()
			fill(b, s, backlog, time.Millisecond)
			left += backlog
			b.StartTimer()
		}
		left -= batch
		rs := make([]store.AttemptResult, batch)
		for i, c := range inFlight[:batch] {
			rs[i] = store.AttemptResult{Org: "org", DeliveryID: c.ID, Webhook: c.Webhook, Status: api.DeliverySucceeded,
				Attempt: api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(time.Now()), StatusCode: 204}}
		}
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.DeliveryFinish(ctx, rs); err != nil {
				return err
			}
			got, err := claim(tx, batch)
			if err == nil && len(got) != batch {
				err = fmt.Errorf("claimed %d", len(got))
			}
			inFlight = append(inFlight[batch:], got...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
