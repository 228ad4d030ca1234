package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
	"github.com/centralhq/central/pkg/store/sqlite"
)

// statements counts the statements a store sends, BEGIN and COMMIT apart,
// and its round trips (a statement sent alone, or a batch).
type statements struct {
	mu    sync.Mutex
	n     int
	trips int
}

func (c *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.trip()
	c.add(d.SQL)
	return ctx
}

func (c *statements) trip() {
	c.mu.Lock()
	c.trips++
	c.mu.Unlock()
}

func (c *statements) add(sql string) {
	switch strings.ToLower(strings.Fields(sql)[0]) {
	case "begin", "commit", "rollback":
	default:
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
}

func (c *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A batch's statements count one by one, though they share a round trip.
func (c *statements) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.trip()
	return ctx
}

func (c *statements) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.add(d.SQL)
}

func (c *statements) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// during returns how many statements fn sent.
func (c *statements) during(fn func()) int { n, _ := c.delta(fn); return n }

// tripsDuring returns how many round trips fn made.
func (c *statements) tripsDuring(fn func()) int { _, trips := c.delta(fn); return trips }

func (c *statements) delta(fn func()) (n, trips int) {
	c.mu.Lock()
	n, trips = -c.n, -c.trips
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	return n + c.n, trips + c.trips
}

// openCounted opens a store on a fresh schema whose statements and round
// trips are counted, and a check that reports a count that is not wanted.
func openCounted(t *testing.T, unit string) (*postgres.Store, *statements, func(what string, got, want int)) {
	t.Helper()
	count := &statements{}
	s, err := postgres.OpenTraced(context.Background(), freshSchema(t), count)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, count, func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s took %d %s, want %d", what, got, unit, want)
		}
	}
}

// The dispatcher's path costs at most 4 statements per delivered event:
// 1 to insert an event's deliveries, 2 per claim, 1 per finished batch.
func TestStatementsPerDeliveredEvent(t *testing.T) {
	s, count, check := openCounted(t, "statements")
	var err error
	ctx := context.Background()
	hooks := []api.WebhookRef{{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}, {Name: "b", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}}
	// Counted over whole transactions: writes are queued to go with the
	// next statement or the commit.
	check("appending an event and inserting its deliveries", count.during(func() {
		err = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.EventAppend(ctx, "org1", &api.Event{ID: "ev", Metadata: &api.EventMetadata{SequenceID: 1}}); err != nil {
				return err
			}
			var ds []*store.Delivery
			for _, h := range hooks {
				d := &store.Delivery{Org: "org1"}
				d.ID, d.EventID, d.SequenceID, d.Webhook, d.Status = "d-"+h.Name, "ev", 1, h, api.DeliveryPending
				d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(t0), api.NewTime(t0), api.NewTime(t0)
				ds = append(ds, d)
			}
			return tx.DeliveryInsert(ctx, ds, true)
		})
	}), 3) // the organization's lock, the event, the deliveries
	if err != nil {
		t.Fatal(err)
	}
	var claimed []*store.Claimed
	check("a claim", count.during(func() {
		err = s.Update(ctx, func(tx store.Tx) error {
			claimed, err = tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 10})
			return err
		})
	}), 2) // the claims lock with the candidates and their events, the lease
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	check("a claim with nothing due", count.during(func() {
		err = s.Update(ctx, func(tx store.Tx) error {
			_, err := tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "r", Now: t0, Lease: time.Minute, Limit: 10})
			return err
		})
	}), 1) // the claims lock with the candidates
	if err != nil {
		t.Fatal(err)
	}
	var rs []store.AttemptResult
	for i, c := range claimed {
		a := api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(t0), StatusCode: 200}
		status := api.DeliverySucceeded
		if i == 1 {
			a.StatusCode, a.ErrorClass, a.Error, status = 503, api.ErrorHTTP, "HTTP 503", api.DeliveryPending
		}
		rs = append(rs, store.AttemptResult{Org: "org1", DeliveryID: c.ID, Webhook: c.Webhook, Attempt: a, Status: status, NextAttemptAt: t0.Add(time.Minute)})
	}
	check("finishing a batch", count.during(func() {
		err = s.Update(ctx, func(tx store.Tx) error { return tx.DeliveryFinish(ctx, rs) })
	}), 1)
	if err != nil {
		t.Fatal(err)
	}
}

// DeliveryFinish folds a batch as SQLite's driver applies it result by
// result: repeated deliveries, repeated attempt numbers, a webhook failing,
// recovering and failing again in one batch, and test sends, which leave
// health alone.
func TestFinishBatchesMatchSQLite(t *testing.T) {
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	pg := open(t, freshSchema(t))
	ctx := context.Background()
	hookA := api.WebhookRef{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	hookB := api.WebhookRef{Name: "b", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	hookOf := map[string]api.WebhookRef{"d1": hookA, "d2": hookA, "d3": hookA, "d4": hookB, "d5": hookB}
	at := func(s int) api.Time { return api.NewTime(t0.Add(time.Duration(s) * time.Second)) }
	result := func(id string, n, sec, code int, status api.DeliveryStatus) store.AttemptResult {
		a := api.Attempt{Number: n, Trigger: api.TriggerScheduled, StartedAt: at(sec), StatusCode: code}
		if code >= 300 {
			a.ErrorClass, a.Error = api.ErrorHTTP, fmt.Sprintf("HTTP %d at %d", code, sec)
		}
		r := store.AttemptResult{Org: "org1", DeliveryID: id, Webhook: hookOf[id], Attempt: a, Status: status}
		if status == api.DeliveryPending {
			r.NextAttemptAt = at(sec + 60).Time
		}
		return r
	}
	testSend := result("d5", 1, 2, 500, api.DeliveryFailed)
	testSend.Attempt.Trigger = api.TriggerTest
	batches := [][]store.AttemptResult{
		{
			result("d1", 1, 1, 503, api.DeliveryPending),
			result("d2", 1, 2, 200, api.DeliverySucceeded),
			result("d3", 1, 3, 504, api.DeliveryPending),
			result("d1", 2, 4, 500, api.DeliveryFailed),
			result("d4", 1, 1, 200, api.DeliverySucceeded),
			testSend,
		},
		{
			result("d3", 2, 20, 502, api.DeliveryPending),
			result("d5", 2, 21, 500, api.DeliveryPending),
			result("d4", 2, 22, 500, api.DeliveryPending),
			result("d4", 2, 23, 200, api.DeliverySucceeded),
		},
		{
			result("d5", 3, 30, 500, api.DeliveryPending),
			result("d3", 3, 31, 200, api.DeliverySucceeded), // a only succeeds: its last error stays
		},
		{
			result("d5", 4, 41, 200, api.DeliveryPending), // b recovers and fails again
			result("d5", 5, 42, 500, api.DeliveryPending),
			result("d1", 1, 43, 500, api.DeliveryFailed), // a late copy of an earlier attempt
		},
	}
	for _, s := range []store.Store{lite, pg} {
		err := s.Update(ctx, func(tx store.Tx) error {
			var ds []*store.Delivery
			for _, id := range []string{"d1", "d2", "d3", "d4", "d5"} {
				d := &store.Delivery{Org: "org1"}
				d.ID, d.EventID, d.SequenceID, d.Webhook, d.Status = id, "ev", 1, hookOf[id], api.DeliveryPending
				d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = at(0), at(0), at(0)
				ds = append(ds, d)
			}
			return tx.DeliveryInsert(ctx, ds, true)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, batch := range batches {
		states := make([]string, 2)
		for j, s := range []store.Store{lite, pg} {
			err := s.Update(ctx, func(tx store.Tx) error { return tx.DeliveryFinish(ctx, batch) })
			if err != nil {
				t.Fatal(err)
			}
			states[j] = state(t, s, hookA, hookB)
		}
		if states[0] != states[1] {
			t.Errorf("after batch %d\nsqlite:   %s\npostgres: %s", i+1, states[0], states[1])
		}
	}
}

// state renders every delivery with its history and both webhooks' health.
func state(t *testing.T, s store.Store, hooks ...api.WebhookRef) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := s.View(ctx, func(tx store.Tx) error {
		for _, id := range []string{"d1", "d2", "d3", "d4", "d5"} {
			d, err := tx.DeliveryGet(ctx, "org1", id)
			if err != nil {
				return err
			}
			j, _ := json.Marshal(d)
			b.Write(j)
		}
		for _, h := range hooks {
			health, err := tx.WebhookHealthGet(ctx, "org1", h)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s: failing since %v, last success %v, last error %q; ",
				h.Name, health.FailingSince.UnixMilli(), health.LastSuccess.UnixMilli(), health.LastError)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Text columns take neither NUL nor invalid UTF-8; an error message with
// either must not fail the batch.
func TestFinishKeepsUnstorableErrorText(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := context.Background()
	hook := api.WebhookRef{Name: "a", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	err := s.Update(ctx, func(tx store.Tx) error {
		d := &store.Delivery{Org: "org1"}
		d.ID, d.EventID, d.SequenceID, d.Webhook, d.Status = "d1", "ev", 1, hook, api.DeliveryPending
		d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(t0), api.NewTime(t0), api.NewTime(t0)
		if err := tx.DeliveryInsert(ctx, []*store.Delivery{d}, true); err != nil {
			return err
		}
		a := api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(t0), ErrorClass: api.ErrorConnection,
			Error: "read: \x00bad \xff bytes", ResponseBody: "\x00\xfe"}
		return tx.DeliveryFinish(ctx, []store.AttemptResult{{Org: "org1", DeliveryID: "d1", Webhook: hook, Attempt: a, Status: api.DeliveryFailed}})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx store.Tx) error {
		d, err := tx.DeliveryGet(ctx, "org1", "d1")
		if err != nil {
			return err
		}
		if d.LastError != "read: \uFFFDbad \uFFFD bytes" || len(d.History) != 1 {
			t.Errorf("stored %q with %d attempts", d.LastError, len(d.History))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
