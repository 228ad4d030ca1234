package storetest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var hookA = api.WebhookRef{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
var hookB = api.WebhookRef{Name: "b", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}

// queue appends an event and one delivery per webhook for it.
func queue(t *testing.T, s store.Store, resource string, orderKey string, hooks ...api.WebhookRef) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	update(t, s, func(tx store.Tx) error {
		seq, err := tx.SequenceNext(ctx, org)
		if err != nil {
			return err
		}
		ev := &api.Event{ID: fmt.Sprint("ev-", seq), Type: api.ResourceCreated, Payload: json.RawMessage(`{"name":"` + resource + `"}`),
			Metadata: &api.EventMetadata{SequenceID: seq}}
		if err := tx.EventAppend(ctx, org, ev); err != nil {
			return err
		}
		var ds []*store.Delivery
		for _, h := range hooks {
			d := &store.Delivery{Org: org, OrderKey: orderKey}
			d.ID = fmt.Sprintf("d-%03d-%s", seq, h.Name)
			d.EventID, d.EventType, d.SequenceID = ev.ID, ev.Type, seq
			d.Resource = api.ResourceRef{Group: "management", Kind: "Environment", Name: resource}
			d.Webhook, d.Status = h, api.DeliveryPending
			d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(t0), api.NewTime(t0.Add(time.Duration(seq)*time.Second)), api.NewTime(t0)
			ds = append(ds, d)
			ids = append(ids, d.ID)
		}
		return tx.DeliveryInsert(ctx, ds, true)
	})
	return ids
}

// resourceOf names the resource of a claimed delivery's event, as queue
// wrote it into the payload: a claim need not fill Delivery.Resource.
func resourceOf(c *store.Claimed) string {
	var ev struct {
		Payload struct{ Name string }
	}
	if err := json.Unmarshal(c.Envelope, &ev); err != nil {
		return "unreadable envelope: " + err.Error()
	}
	return ev.Payload.Name
}

func claim(t *testing.T, s store.Store, owner string, now time.Time, limit int, accept func(*store.Delivery) bool) []*store.Claimed {
	t.Helper()
	var out []*store.Claimed
	var acceptFn func(*store.Delivery, int) bool
	if accept != nil {
		acceptFn = func(d *store.Delivery, _ int) bool { return accept(d) }
	}
	update(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: owner, Now: now, Lease: time.Minute, Limit: limit, Accept: acceptFn})
		return err
	})
	return out
}

// testDeliveryLeasedCounts checks the leased count Accept gets: the
// webhook's deliveries holding a valid lease, whoever holds them.
func testDeliveryLeasedCounts(t *testing.T, s store.Store) {
	for i := range 5 {
		queue(t, s, fmt.Sprint("e", i), "", hookA, hookB)
	}
	if got := claim(t, s, "other-replica", t0, 3, func(d *store.Delivery) bool { return d.Webhook == hookA }); len(got) != 3 {
		t.Fatalf("first claim: %d", len(got))
	}
	seen := map[api.WebhookRef]int{}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 10,
			Accept: func(d *store.Delivery, leased int) bool { seen[d.Webhook] = leased; return false }})
		return err
	})
	if seen[hookA] != 3 || seen[hookB] != 0 {
		t.Fatalf("leased counts: %v", seen)
	}
	seen = map[api.WebhookRef]int{}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: "r", Now: t0.Add(2 * time.Minute), Lease: time.Minute, Limit: 10,
			Accept: func(d *store.Delivery, leased int) bool { seen[d.Webhook] = leased; return false }})
		return err
	})
	if seen[hookA] != 0 {
		t.Fatalf("expired leases still counted: %v", seen)
	}
}

func finish(t *testing.T, s store.Store, c *store.Claimed, status api.DeliveryStatus, code int, next time.Time) {
	t.Helper()
	a := api.Attempt{Number: c.Attempts + 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(t0), StatusCode: code}
	if code >= 300 {
		a.ErrorClass, a.Error = api.ErrorHTTP, fmt.Sprint("HTTP ", code)
	}
	update(t, s, func(tx store.Tx) error {
		return tx.DeliveryFinish(context.Background(), []store.AttemptResult{{Org: org, DeliveryID: c.ID, Webhook: c.Webhook,
			Attempt: a, Status: status, NextAttemptAt: next, LeaseUntil: c.LeaseUntil}})
	})
}

// testDeliverySuperseded: a result that arrives after its delivery was
// claimed again (its lease had ended meanwhile) is not recorded and frees
// only its own lease, so the newer claim's request stays the only one in
// flight and its result is the one recorded. A result whose lease ended
// without the delivery being claimed again is recorded.
func testDeliverySuperseded(t *testing.T, s store.Store) {
	ctx := context.Background()
	read := func(id string) *api.Delivery {
		return view(t, s, func(tx store.Tx) (*api.Delivery, error) { return tx.DeliveryGet(ctx, org, id) })
	}
	queue(t, s, "e1", "", hookA)
	first := claim(t, s, "r1", t0, 1, nil)
	second := claim(t, s, "r2", t0.Add(2*time.Minute), 1, nil) // r1's lease has ended
	if len(first) != 1 || len(second) != 1 || second[0].ID != first[0].ID || !second[0].LeaseUntil.After(first[0].LeaseUntil) {
		t.Fatalf("claims: %+v then %+v", first, second)
	}
	finish(t, s, first[0], api.DeliverySucceeded, 200, time.Time{})
	if d := read(first[0].ID); d.Status != api.DeliveryPending || d.Attempts != 0 || len(d.History) != 0 {
		t.Fatalf("a superseded result was recorded: %+v", d)
	}
	if got := claim(t, s, "r3", t0.Add(2*time.Minute+time.Second), 1, nil); len(got) != 0 {
		t.Fatal("a superseded result freed the newer claim's lease")
	}
	finish(t, s, second[0], api.DeliveryPending, 503, t0.Add(3*time.Minute))
	if d := read(first[0].ID); d.Status != api.DeliveryPending || d.Attempts != 1 || len(d.History) != 1 || d.LastStatusCode != 503 {
		t.Fatalf("the newer claim's result: %+v", d)
	}
	if got := claim(t, s, "r3", t0.Add(3*time.Minute), 1, nil); len(got) != 1 {
		t.Fatal("the newer claim's result did not free its lease")
	}

	// Ended, but not claimed again (the claim that found it due vetoed it).
	id := queue(t, s, "e2", "", hookB)[0]
	late := claim(t, s, "r1", t0, 1, func(d *store.Delivery) bool { return d.ID == id })
	if len(late) != 1 {
		t.Fatalf("claim of e2: %+v", late)
	}
	if got := claim(t, s, "r2", t0.Add(2*time.Minute), 10, func(*store.Delivery) bool { return false }); len(got) != 0 {
		t.Fatalf("a vetoing claim took %d", len(got))
	}
	finish(t, s, late[0], api.DeliverySucceeded, 200, time.Time{})
	if d := read(id); d.Status != api.DeliverySucceeded || d.Attempts != 1 {
		t.Fatalf("a result whose lease ended unclaimed was not recorded: %+v", d)
	}

	// Claimed again, and that claim finished first: the late result finds
	// its attempt's number taken.
	id = queue(t, s, "e3", "", hookA)[0]
	only := func(d *store.Delivery) bool { return d.ID == id }
	first = claim(t, s, "r1", t0.Add(10*time.Minute), 1, only)
	second = claim(t, s, "r2", t0.Add(12*time.Minute), 1, only)
	finish(t, s, second[0], api.DeliverySucceeded, 200, time.Time{})
	finish(t, s, first[0], api.DeliveryPending, 503, t0.Add(13*time.Minute))
	if d := read(id); d.Status != api.DeliverySucceeded || d.Attempts != 1 || len(d.History) != 1 || d.History[0].StatusCode != 200 {
		t.Fatalf("a late result undid the newer claim's: %+v", d)
	}

	// The same, with the delivery purged before the late result: it leaves
	// no attempt behind (a delivery given the same id would show it).
	update(t, s, func(tx store.Tx) error {
		_, err := tx.DeliveryPurge(ctx, store.DeliveryFilter{Org: org, Status: api.DeliverySucceeded}, false)
		return err
	})
	finish(t, s, first[0], api.DeliveryPending, 503, t0.Add(13*time.Minute))
	again := &store.Delivery{Delivery: first[0].Delivery.Delivery, Org: org}
	again.Status, again.Attempts = api.DeliveryPending, 0
	update(t, s, func(tx store.Tx) error { return tx.DeliveryInsert(ctx, []*store.Delivery{again}, true) })
	if d := read(id); d.Attempts != 0 || len(d.History) != 0 {
		t.Fatalf("a result for a purged delivery was recorded: %+v", d)
	}
}

func testDeliveryClaimLease(t *testing.T, s store.Store) {
	queue(t, s, "e1", "", hookA, hookB)
	queue(t, s, "e2", "", hookA)
	if got := claim(t, s, "r1", t0.Add(-time.Second), 10, nil); len(got) != 0 {
		t.Fatalf("claimed %d deliveries before they were due", len(got))
	}
	first := claim(t, s, "r1", t0, 2, nil)
	if len(first) != 2 || !strings.Contains(string(first[0].Envelope), `"payload":{"name":"e1"}`) {
		t.Fatalf("first claim: %+v", first)
	}
	rest := claim(t, s, "r2", t0, 10, nil)
	if len(rest) != 1 || rest[0].ID == first[0].ID || rest[0].ID == first[1].ID {
		t.Fatalf("a second dispatcher claimed leased work: %+v", rest)
	}
	// the first dispatcher dies: after its lease the work comes back
	again := claim(t, s, "r2", t0.Add(2*time.Minute), 10, nil)
	if len(again) != 3 {
		t.Fatalf("after the leases expired %d were claimable, want 3", len(again))
	}
}

// testDeliveryClaimRolledBack: a claim or a finish whose transaction rolls
// back leaves the leases as they were, also when other Updates run at the
// same moment (and may share a commit with it).
func testDeliveryClaimRolledBack(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 40
	for i := range n {
		queue(t, s, fmt.Sprint("e", i), "", hookA)
	}
	refused := errors.New("refused")
	p := store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 1}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var kept []*store.Claimed
	for i := range n {
		wg.Go(func() {
			var got []*store.Claimed
			err := s.Update(ctx, func(tx store.Tx) error {
				var err error
				if got, err = tx.DeliveryClaim(ctx, p); err != nil || i%2 == 1 {
					return cmp.Or(err, refused)
				}
				return nil
			})
			switch {
			case i%2 == 1 && !errors.Is(err, refused):
				t.Errorf("claim %d: want its own error, got %v", i, err)
			case i%2 == 0 && err != nil:
				t.Errorf("claim %d: %v", i, err)
			case i%2 == 0:
				mu.Lock()
				kept = append(kept, got...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// A claim may come back empty while others hold its candidates
	// (PostgreSQL skips locked rows), so count what was kept.
	if len(kept) > n/2 {
		t.Fatalf("%d deliveries claimed by %d committed claims", len(kept), n/2)
	}
	// A finish that rolls back keeps its lease too.
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeliveryFinish(ctx, []store.AttemptResult{{Org: org, DeliveryID: kept[0].ID, Webhook: kept[0].Webhook,
			Attempt: api.Attempt{Number: 1, StartedAt: api.NewTime(t0), StatusCode: 204}, Status: api.DeliverySucceeded}}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatal(err)
	}
	if rest := claim(t, s, "r2", t0, n, nil); len(rest) != n-len(kept) {
		t.Fatalf("%d left to claim, want the %d not leased by a committed claim", len(rest), n-len(kept))
	}
}

func testDeliveryAccept(t *testing.T, s store.Store) {
	queue(t, s, "e1", "", hookA, hookB)
	queue(t, s, "e2", "", hookA, hookB)
	got := claim(t, s, "r", t0, 10, func(d *store.Delivery) bool { return d.Webhook.Name == "b" })
	if len(got) != 2 || got[0].Webhook.Name != "b" || got[1].Webhook.Name != "b" {
		t.Fatalf("accept filter ignored: %+v", got)
	}
	if left := claim(t, s, "r", t0, 10, nil); len(left) != 2 {
		t.Fatalf("vetoed deliveries were leased: %d left", len(left))
	}
}

func testDeliveryExclude(t *testing.T, s store.Store) {
	for i := range 30 { // a window's worth of deliveries to a, then one to b
		queue(t, s, fmt.Sprint("e", i), "", hookA)
	}
	queue(t, s, "last", "", hookB)
	var got []*store.Claimed
	update(t, s, func(tx store.Tx) error {
		var err error
		got, err = tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 1,
			Exclude: []api.WebhookRef{hookA}})
		return err
	})
	if len(got) != 1 || got[0].Webhook != hookB {
		t.Fatalf("an excluded webhook's deliveries crowded out another's: %+v", got)
	}
}

// testDeliveryOnly claims for one webhook: only its due, unleased
// deliveries, oldest first, ordered ones one at a time.
func testDeliveryOnly(t *testing.T, s store.Store) {
	queue(t, s, "e1", "", hookA, hookB)
	queue(t, s, "e2", "", hookA, hookB)
	queue(t, s, "o1", "Environment/o", hookB)
	queue(t, s, "o2", "Environment/o", hookB)
	only := func(owner string, w api.WebhookRef, o string, limit int) []*store.Claimed {
		var got []*store.Claimed
		update(t, s, func(tx store.Tx) error {
			var err error
			got, err = tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: owner, Now: t0, Lease: time.Minute, Limit: limit,
				Only: &w, OnlyOrg: o, Accept: func(*store.Delivery, int) bool { return true }})
			return err
		})
		return got
	}
	if got := only("r", hookB, "another-org", 10); len(got) != 0 {
		t.Fatalf("claimed another organization's deliveries: %+v", got)
	}
	got := only("r", hookB, org, 2)
	if len(got) != 2 || got[0].Webhook != hookB || got[1].Webhook != hookB || resourceOf(got[0]) != "e1" || resourceOf(got[1]) != "e2" {
		t.Fatalf("first claim for b: %+v", got)
	}
	got = only("r2", hookB, org, 10)
	if len(got) != 1 || resourceOf(got[0]) != "o1" {
		t.Fatalf("second claim for b should take o1 alone (o2 waits for it): %+v", got)
	}
	if got := claim(t, s, "r3", t0, 10, nil); len(got) != 2 || got[0].Webhook != hookA || got[1].Webhook != hookA {
		t.Fatalf("a's deliveries should be all that is left: %+v", got)
	}
}

// A delivery whose event is not in the log fails the claim that picks it,
// with an error that names it; one the claim passes over does not.
func testDeliveryMissingEvent(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := queue(t, s, "env", "", hookA)
	update(t, s, func(tx store.Tx) error {
		d := &store.Delivery{Org: org}
		d.ID, d.EventID, d.SequenceID = "d-orphan", "ev-gone", 9999
		d.Webhook, d.Status = hookA, api.DeliveryPending
		d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(t0.Add(-time.Second)), api.NewTime(t0), api.NewTime(t0)
		return tx.DeliveryInsert(ctx, []*store.Delivery{d}, true)
	})
	got := claim(t, s, "r", t0, 10, func(d *store.Delivery) bool { return d.ID != "d-orphan" })
	if len(got) != 1 || got[0].ID != ids[0] {
		t.Fatalf("passing over the orphan should claim %s: %+v", ids[0], got)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 10})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "delivery d-orphan: event 9999 is not in the log") {
		t.Fatalf("claiming the orphan: %v", err)
	}
}

func testDeliveryOrdered(t *testing.T, s store.Store) {
	queue(t, s, "env", "Environment/env", hookA)
	queue(t, s, "env", "Environment/env", hookA)
	queue(t, s, "other", "Environment/other", hookA)
	got := claim(t, s, "r", t0, 10, nil)
	if len(got) != 2 || resourceOf(got[0]) != "env" || resourceOf(got[1]) != "other" {
		t.Fatalf("ordered claim should take the first of env and the one of other: %+v", got)
	}
	finish(t, s, got[1], api.DeliverySucceeded, 200, time.Time{})
	finish(t, s, got[0], api.DeliveryPending, 500, t0.Add(time.Hour))
	if later := claim(t, s, "r", t0.Add(2*time.Minute), 10, nil); len(later) != 0 {
		t.Fatalf("a later event overtook one still retrying: %+v", later)
	}
	retry := claim(t, s, "r", t0.Add(time.Hour), 10, nil)
	if len(retry) != 1 || retry[0].ID != got[0].ID {
		t.Fatalf("the retry of the first event: %+v", retry)
	}
	finish(t, s, retry[0], api.DeliverySucceeded, 200, time.Time{})
	if later := claim(t, s, "r", t0.Add(time.Hour), 10, nil); len(later) != 1 || later[0].SequenceID <= got[0].SequenceID {
		t.Fatalf("the next event did not follow: %+v", later)
	}
}

func testDeliveryFinishAndRead(t *testing.T, s store.Store) {
	ctx := context.Background()
	queue(t, s, "e1", "", hookA)
	c := claim(t, s, "r", t0, 1, nil)[0]
	finish(t, s, c, api.DeliveryPending, 503, t0.Add(5*time.Second))
	_ = s.View(ctx, func(tx store.Tx) error {
		h, err := tx.WebhookHealthGet(ctx, org, hookA)
		if err != nil || !h.FailingSince.Equal(t0) || h.LastError != "HTTP 503" {
			t.Fatalf("health after a failure: %+v %v", h, err)
		}
		return nil
	})
	c = claim(t, s, "r", t0.Add(5*time.Second), 1, nil)[0]
	if c.Attempts != 1 {
		t.Fatalf("attempts = %d after one attempt", c.Attempts)
	}
	finish(t, s, c, api.DeliverySucceeded, 200, time.Time{})
	_ = s.View(ctx, func(tx store.Tx) error {
		d, err := tx.DeliveryGet(ctx, org, c.ID)
		if err != nil || d.Status != api.DeliverySucceeded || d.Attempts != 2 || len(d.History) != 2 ||
			d.History[0].StatusCode != 503 || d.LastStatusCode != 200 || !d.NextAttemptAt.IsZero() {
			t.Fatalf("delivery after success: %+v %v", d, err)
		}
		h, _ := tx.WebhookHealthGet(ctx, org, hookA)
		if !h.FailingSince.IsZero() || h.LastSuccess.IsZero() {
			t.Fatalf("a success did not reset the failure clock: %+v", h)
		}
		if _, err := tx.DeliveryGet(ctx, org, "nosuch"); err != store.ErrNotFound {
			t.Fatalf("missing delivery: %v", err)
		}
		return nil
	})
}

// testWebhookHealthRestart: a webhook enabled again starts its failure
// clock afresh, at its next failure; what it last did stays.
func testWebhookHealthRestart(t *testing.T, s store.Store) {
	ctx := context.Background()
	health := func() store.WebhookHealth {
		return view(t, s, func(tx store.Tx) (store.WebhookHealth, error) { return tx.WebhookHealthGet(ctx, org, hookA) })
	}
	restart := func() {
		update(t, s, func(tx store.Tx) error { return tx.WebhookHealthRestart(ctx, org, hookA) })
	}
	restart() // a webhook never sent to has no health row: nothing to do
	if h := health(); h != (store.WebhookHealth{}) {
		t.Fatalf("health of a webhook never sent to, after a restart: %+v", h)
	}
	queue(t, s, "e", "", hookA)
	c := claim(t, s, "r", t0, 1, nil)[0]
	finish(t, s, c, api.DeliveryPending, 503, t0.Add(time.Minute))
	if h := health(); !h.FailingSince.Equal(t0) {
		t.Fatalf("health after a failure: %+v", h)
	}
	restart()
	if h := health(); !h.FailingSince.IsZero() || h.LastError != "HTTP 503" {
		t.Fatalf("health after a restart (the clock stops, the last error stays): %+v", h)
	}
	later := t0.Add(time.Hour)
	c = claim(t, s, "r", later, 1, nil)[0]
	rs := []store.AttemptResult{{Org: org, DeliveryID: c.ID, Webhook: hookA, Status: api.DeliveryFailed, Attempt: api.Attempt{Number: 2,
		Trigger: api.TriggerScheduled, StartedAt: api.NewTime(later), StatusCode: 502, ErrorClass: api.ErrorHTTP, Error: "HTTP 502"}}}
	update(t, s, func(tx store.Tx) error { return tx.DeliveryFinish(ctx, rs) })
	if h := health(); !h.FailingSince.Equal(later) || h.LastError != "HTTP 502" {
		t.Fatalf("the first failure after a restart starts the clock: %+v", h)
	}
}

// testDeliveryHealthInOneBatch: a batch of results to one webhook leaves
// its health as if they had been recorded one by one, in order.
func testDeliveryHealthInOneBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 4 {
		queue(t, s, fmt.Sprint("e", i), "", hookA)
	}
	cs := claim(t, s, "r", t0, 4, nil)
	codes := []int{500, 200, 502, 503} // then 504, 200 in a second batch
	rs := make([]store.AttemptResult, len(cs))
	for i, c := range cs {
		a := api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(t0.Add(time.Duration(i) * time.Second)), StatusCode: codes[i]}
		status := api.DeliverySucceeded
		if codes[i] >= 300 {
			a.ErrorClass, a.Error, status = api.ErrorHTTP, fmt.Sprint("HTTP ", codes[i]), api.DeliveryFailed
		}
		rs[i] = store.AttemptResult{Org: org, DeliveryID: c.ID, Webhook: c.Webhook, Attempt: a, Status: status}
	}
	update(t, s, func(tx store.Tx) error { return tx.DeliveryFinish(ctx, rs) })
	_ = s.View(ctx, func(tx store.Tx) error {
		h, err := tx.WebhookHealthGet(ctx, org, hookA)
		if err != nil || !h.LastSuccess.Equal(t0.Add(time.Second)) || !h.FailingSince.Equal(t0.Add(2*time.Second)) || h.LastError != "HTTP 503" {
			t.Fatalf("health after 500, 200, 502, 503 in one batch: %+v %v", h, err)
		}
		return nil
	})
	for i := range 2 {
		queue(t, s, fmt.Sprint("f", i), "", hookA)
	}
	cs = claim(t, s, "r", t0, 2, nil)
	rs = []store.AttemptResult{
		{Org: org, DeliveryID: cs[0].ID, Webhook: hookA, Status: api.DeliveryFailed, Attempt: api.Attempt{Number: 1, Trigger: api.TriggerScheduled,
			StartedAt: api.NewTime(t0.Add(10 * time.Second)), StatusCode: 504, ErrorClass: api.ErrorHTTP, Error: "HTTP 504"}},
		{Org: org, DeliveryID: cs[1].ID, Webhook: hookA, Status: api.DeliverySucceeded, Attempt: api.Attempt{Number: 1, Trigger: api.TriggerScheduled,
			StartedAt: api.NewTime(t0.Add(11 * time.Second)), StatusCode: 200}},
	}
	update(t, s, func(tx store.Tx) error { return tx.DeliveryFinish(ctx, rs) })
	_ = s.View(ctx, func(tx store.Tx) error {
		h, err := tx.WebhookHealthGet(ctx, org, hookA)
		if err != nil || !h.LastSuccess.Equal(t0.Add(11*time.Second)) || !h.FailingSince.IsZero() || h.LastError != "HTTP 504" {
			t.Fatalf("health after 504, 200 in one batch (the last error stays, the failure clock stops): %+v %v", h, err)
		}
		return nil
	})
}

func testDeliveryListRetryPurge(t *testing.T, s store.Store) {
	ctx := context.Background()
	queue(t, s, "e1", "", hookA, hookB)
	queue(t, s, "e2", "", hookA)
	for _, c := range claim(t, s, "r", t0, 10, nil) {
		if c.Webhook.Name == "a" {
			finish(t, s, c, api.DeliveryFailed, 400, time.Time{})
		} else {
			finish(t, s, c, api.DeliverySucceeded, 200, time.Time{})
		}
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		all, total, err := tx.DeliveryList(ctx, store.DeliveryFilter{Org: org, PageSize: 2, Page: 1})
		if err != nil || total != 3 || len(all) != 2 || all[0].SequenceID < all[1].SequenceID {
			t.Fatalf("list page 1: %d %v %v", total, all, err)
		}
		failed, total, _ := tx.DeliveryList(ctx, store.DeliveryFilter{Org: org, Status: api.DeliveryFailed, Webhook: &hookA})
		if total != 2 || len(failed) != 2 {
			t.Fatalf("failed for a: %d", total)
		}
		// The two events' deliveries, two and one, by their event ids.
		every, _, _ := tx.DeliveryList(ctx, store.DeliveryFilter{Org: org})
		per := map[string]int{"ev-none": 0}
		for _, d := range every {
			per[d.EventID]++
		}
		if len(per) != 3 {
			t.Fatalf("deliveries of %d events, want 2: %v", len(per)-1, per)
		}
		for event, want := range per {
			ds, total, err := tx.DeliveryList(ctx, store.DeliveryFilter{Org: org, EventID: event})
			if err != nil || total != want || len(ds) != want {
				t.Fatalf("deliveries of event %s: %d (%d listed), %v; want %d", event, total, len(ds), err, want)
			}
			for _, d := range ds {
				if d.EventID != event {
					t.Fatalf("deliveries of event %s: listed %+v", event, d)
				}
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		bs, _, err := tx.DeliveryList(ctx, store.DeliveryFilter{Org: org, Webhook: &hookB})
		if err != nil || len(bs) != 1 {
			t.Fatalf("hook b's deliveries: %v %v", bs, err)
		}
		// Of the first event's two deliveries only a's failed: a retry of
		// the event's deliveries takes that one.
		if n, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org, EventID: bs[0].EventID}, nil, t0, true); n != 1 || err != nil {
			t.Fatalf("dry-run retry of one event's deliveries counted %d %v, want 1", n, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if n, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org}, nil, t0, true); n != 2 || err != nil {
			t.Fatalf("dry-run retry counted %d %v", n, err)
		}
		if n, err := tx.DeliveryPurge(ctx, store.DeliveryFilter{Org: org, Status: api.DeliverySucceeded}, false); n != 1 || err != nil {
			t.Fatalf("purge succeeded: %d %v", n, err)
		}
		if n, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org}, nil, t0, false); n != 2 || err != nil {
			t.Fatalf("retry: %d %v", n, err)
		}
		return nil
	})
	if got := claim(t, s, "r", t0, 10, nil); len(got) != 2 || !got[0].Manual || !got[1].Manual {
		t.Fatalf("retried deliveries are not claimable, or not marked manual: %+v", got)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		ps, err := tx.DeliveryPendingByWebhook(ctx)
		if err != nil || len(ps) != 1 || ps[0].Webhook != hookA || ps[0].Count != 2 || !ps[0].Oldest.Equal(t0) {
			t.Fatalf("pending after the retry: %+v %v, want hook a's 2 due at %v", ps, err, t0)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeliveryReleaseLeases(ctx) })
	got := claim(t, s, "r2", t0, 10, nil)
	if len(got) != 2 {
		t.Fatalf("released leases are not claimable: %d", len(got))
	}
	// Sent again by hand while in flight: nothing changes, so the
	// delivery does not go out twice at once. Once its lease has ended
	// (its dispatcher lost track of it) a retry takes it.
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org}, []string{got[0].ID, got[1].ID}, t0, false)
		if n != 0 || err != nil {
			t.Fatalf("retry of deliveries in flight: %d %v, want 0", n, err)
		}
		return nil
	})
	if again := claim(t, s, "r3", t0, 10, nil); len(again) != 0 {
		t.Fatalf("deliveries retried in flight were claimed again: %d", len(again))
	}
	later := t0.Add(2 * time.Minute)
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org}, []string{got[0].ID}, later, false)
		if n != 1 || err != nil {
			t.Fatalf("retry after the lease ended: %d %v, want 1", n, err)
		}
		return nil
	})
	if again := claim(t, s, "r3", later, 10, nil); len(again) != 2 {
		t.Fatalf("deliveries whose leases ended are not claimable: %d", len(again))
	}
}

// testDeliveryFilterWebhooks: ExcludeWebhooks leaves out the deliveries of
// the webhooks it lists (a bulk retry, those of disabled webhooks) and
// OnlyWebhooks keeps only theirs (what was left out), in listing, retry
// and its count alike, with the other conditions of the filter. A webhook
// is told by scope and name: hookA's name in another scope is another.
func testDeliveryFilterWebhooks(t *testing.T, s store.Store) {
	ctx := context.Background()
	other := api.WebhookRef{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "j"}}
	ab := queue(t, s, "e1", "", hookA, hookB)
	a, b, o := ab[0], ab[1], queue(t, s, "e2", "", other)[0]
	for _, c := range claim(t, s, "r", t0, 10, nil) {
		finish(t, s, c, api.DeliveryFailed, 410, time.Time{})
	}
	list := func(f store.DeliveryFilter) string {
		t.Helper()
		var out []string
		_ = s.View(ctx, func(tx store.Tx) error {
			ds, total, err := tx.DeliveryList(ctx, f)
			if err != nil || total != len(ds) {
				t.Fatalf("list %+v: %d of %d, %v", f, len(ds), total, err)
			}
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return nil
		})
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	join := func(ids ...string) string { slices.Sort(ids); return strings.Join(ids, " ") }
	inI := &api.WebhookRef{Scope: hookA.Scope}
	for _, tc := range []struct {
		name     string
		ex, only []api.WebhookRef
		scope    *api.WebhookRef
		status   api.DeliveryStatus
		want     string
	}{
		{"exclude one", []api.WebhookRef{hookA}, nil, nil, "", join(b, o)},
		{"exclude two", []api.WebhookRef{hookA, other}, nil, nil, "", b},
		{"only one", nil, []api.WebhookRef{hookA}, nil, "", a},
		{"only two", nil, []api.WebhookRef{hookA, other}, nil, "", join(a, o)},
		{"only, in a scope", nil, []api.WebhookRef{hookA, other}, inI, "", a},
		{"exclude, in a scope", []api.WebhookRef{hookA}, nil, inI, "", b},
		{"exclude, with a status", []api.WebhookRef{hookA}, nil, nil, api.DeliveryFailed, join(b, o)},
		{"only, with another status", nil, []api.WebhookRef{hookA}, nil, api.DeliverySucceeded, ""},
		{"exclude what only keeps", []api.WebhookRef{hookA}, []api.WebhookRef{hookA}, nil, "", ""},
	} {
		f := store.DeliveryFilter{Org: org, Webhook: tc.scope, Status: tc.status, ExcludeWebhooks: tc.ex, OnlyWebhooks: tc.only}
		if got := list(f); got != tc.want {
			t.Errorf("%s: listed %q, want %q", tc.name, got, tc.want)
		}
		update(t, s, func(tx store.Tx) error {
			n, err := tx.DeliveryRetry(ctx, f, nil, t0, true)
			if want := len(strings.Fields(tc.want)); n != want || err != nil {
				t.Errorf("%s: a retry counted %d, %v; want %d", tc.name, n, err, want)
			}
			return nil
		})
	}
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org, ExcludeWebhooks: []api.WebhookRef{hookA}}, nil, t0, false)
		if n != 2 || err != nil {
			t.Fatalf("retry leaving out a: %d %v, want 2", n, err)
		}
		return nil
	})
	if got := list(store.DeliveryFilter{Org: org, Status: api.DeliveryFailed}); got != a {
		t.Fatalf("still failed after a retry leaving out a: %q, want %q", got, a)
	}
}

// testDeliveryPendingByWebhook: the queue's figures come per webhook, only
// for those with pending deliveries.
func testDeliveryPendingByWebhook(t *testing.T, s store.Store) {
	ctx := context.Background()
	queue(t, s, "e1", "", hookA, hookB)
	queue(t, s, "e2", "", hookA)
	c := claim(t, s, "r", t0, 10, func(d *store.Delivery) bool { return d.Webhook == hookB })
	finish(t, s, c[0], api.DeliveryPending, 503, t0.Add(time.Minute))
	_ = s.View(ctx, func(tx store.Tx) error {
		ps, err := tx.DeliveryPendingByWebhook(ctx)
		slices.SortFunc(ps, func(x, y store.PendingCount) int { return strings.Compare(x.Webhook.Name, y.Webhook.Name) })
		want := []store.PendingCount{{Webhook: hookA, Count: 2, Oldest: t0}, {Webhook: hookB, Count: 1, Oldest: t0.Add(time.Minute)}}
		same := err == nil && len(ps) == len(want)
		for i := 0; same && i < len(ps); i++ {
			same = ps[i].Webhook == want[i].Webhook && ps[i].Count == want[i].Count && ps[i].Oldest.Equal(want[i].Oldest)
		}
		if !same {
			t.Fatalf("pending by webhook: %+v %v, want %+v", ps, err, want)
		}
		return nil
	})
	c = claim(t, s, "r", t0.Add(time.Hour), 10, nil)
	for _, d := range c {
		finish(t, s, d, api.DeliverySucceeded, 204, time.Time{})
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		if ps, err := tx.DeliveryPendingByWebhook(ctx); len(ps) != 0 || err != nil {
			t.Fatalf("nothing pending, yet: %+v %v", ps, err)
		}
		return nil
	})
}

// testDeliveryPendingHeldByOrder: deliveries held behind an earlier pending
// one of their order key (an ordered webhook's, waiting for its retry) are
// not due, whatever their next_at says: the oldest due time is that of
// each order key's first, while the count takes every pending delivery.
func testDeliveryPendingHeldByOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	for range 3 {
		queue(t, s, "env", "Environment/env", hookA)
	}
	head := claim(t, s, "r", t0, 10, nil)
	if len(head) != 1 {
		t.Fatalf("an ordered claim took %d deliveries of one resource, want its first", len(head))
	}
	retryAt := t0.Add(time.Minute)
	finish(t, s, head[0], api.DeliveryPending, 503, retryAt)
	pending := func() store.PendingCount {
		t.Helper()
		ps := view(t, s, func(tx store.Tx) ([]store.PendingCount, error) { return tx.DeliveryPendingByWebhook(ctx) })
		if len(ps) != 1 || ps[0].Webhook != hookA {
			t.Fatalf("pending by webhook: %+v, want hook a's alone", ps)
		}
		return ps[0]
	}
	if p := pending(); p.Count != 3 || !p.Oldest.Equal(retryAt) {
		t.Fatalf("head retrying, two held behind it: %d due at %v, want 3 due at the retry, %v", p.Count, p.Oldest, retryAt)
	}
	// A list and a read name the delivery the held ones wait behind.
	ds := view(t, s, func(tx store.Tx) ([]*api.Delivery, error) {
		ds, _, err := tx.DeliveryList(ctx, store.DeliveryFilter{Org: org})
		return ds, err
	})
	held := 0
	for _, d := range ds {
		switch {
		case d.ID == head[0].ID && d.HeldBy != "":
			t.Fatalf("the head is held by %s", d.HeldBy)
		case d.ID != head[0].ID && d.HeldBy != head[0].ID:
			t.Fatalf("%s is held by %q, want the head %s", d.ID, d.HeldBy, head[0].ID)
		case d.ID != head[0].ID:
			held++
			got := view(t, s, func(tx store.Tx) (*api.Delivery, error) { return tx.DeliveryGet(ctx, org, d.ID) })
			if got.HeldBy != head[0].ID {
				t.Fatalf("read alone, %s is held by %q, want %s", d.ID, got.HeldBy, head[0].ID)
			}
		}
	}
	if held != 2 {
		t.Fatalf("%d held deliveries listed, want 2", held)
	}
	// Another resource's first delivery is due now: it counts.
	queue(t, s, "other", "Environment/other", hookA)
	if p := pending(); p.Count != 4 || !p.Oldest.Equal(t0) {
		t.Fatalf("with another resource's first due: %d due at %v, want 4 due at %v", p.Count, p.Oldest, t0)
	}
}
