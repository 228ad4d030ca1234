package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/storetest"
)

// leaseRows counts the rows of the leases table, and those holding a lease.
func leaseRows(t *testing.T, dsn string) (rows, held int) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(),
		`SELECT count(*), count(*) FILTER (WHERE until <> 0) FROM leases`).Scan(&rows, &held); err != nil {
		t.Fatal(err)
	}
	return rows, held
}

func claimN(t *testing.T, s store.Store, owner string, now time.Time, limit int) []*store.Claimed {
	t.Helper()
	var got []*store.Claimed
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		got, err = tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: owner, Now: now, Lease: time.Minute, Limit: limit})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func finishAll(t *testing.T, s store.Store, cs []*store.Claimed) {
	t.Helper()
	var rs []store.AttemptResult
	for _, c := range cs {
		rs = append(rs, succeeded(c))
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.DeliveryFinish(context.Background(), rs) }); err != nil {
		t.Fatal(err)
	}
}

// A lease is a row of its own that claims fill and finishes empty, so the
// table keeps as many rows as were ever held at once, however many
// deliveries pass through it; an expired lease's row is filled again.
func TestLeaseRowsAreReused(t *testing.T) {
	dsn := freshSchema(t)
	s := open(t, dsn)
	queueDeliveries(t, s, 60)
	for {
		got := claimN(t, s, "r1", t0, 7)
		if len(got) == 0 {
			break
		}
		finishAll(t, s, got)
	}
	if rows, held := leaseRows(t, dsn); rows != 7 || held != 0 {
		t.Fatalf("after 60 deliveries in claims of 7: %d rows, %d held; want 7 rows, none held", rows, held)
	}

	queueDeliveries(t, s, 9)
	if got := claimN(t, s, "r1", t0, 9); len(got) != 9 {
		t.Fatalf("claimed %d of 9", len(got))
	}
	if rows, held := leaseRows(t, dsn); rows != 9 || held != 9 {
		t.Fatalf("9 held at once: %d rows, %d held", rows, held)
	}
	// r1 dies: after its leases end, r2 takes the same deliveries into the
	// same rows.
	again := claimN(t, s, "r2", t0.Add(2*time.Minute), 20)
	if len(again) != 9 {
		t.Fatalf("after the leases expired %d were claimable, want 9", len(again))
	}
	if rows, held := leaseRows(t, dsn); rows != 9 || held != 9 {
		t.Fatalf("9 taken over: %d rows, %d held", rows, held)
	}
	finishAll(t, s, again)
	if _, held := leaseRows(t, dsn); held != 0 {
		t.Fatalf("%d leases left after every delivery finished", held)
	}
}

// TestMigrationMovesLeases builds a schema with the migrations up to 006,
// when leases were columns of deliveries, and checks that 007 keeps a
// lease in flight: its delivery is not claimed again until it expires.
func TestMigrationMovesLeases(t *testing.T) {
	ctx := context.Background()
	dsn, conn := oldSchema(t, 6)
	until := t0.Add(time.Minute).UnixMilli()
	for i, lease := range []int64{until, 0} {
		if _, err := conn.Exec(ctx, `INSERT INTO events (org_id, seq, id, body) VALUES ('org1', $1, $2, '{}')`, i+1, fmt.Sprint("ev-", i+1)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO deliveries (id, org_id, event_id, event_seq, event_type, resource,
			wh_scope_kind, wh_scope_name, wh_name, status, next_at, created_at, updated_at, lease_owner, lease_until)
			VALUES ($1, 'org1', $2, $3, 'ResourceCreated', '{}', 'Integration', 'i', 'hook0', 'pending', $4, $4, $4, 'old', $5)`,
			fmt.Sprint("d-", i+1), fmt.Sprint("ev-", i+1), i+1, t0.UnixMilli(), lease); err != nil {
			t.Fatal(err)
		}
	}

	s := open(t, dsn)
	if got := claimN(t, s, "new", t0, 10); len(got) != 1 || got[0].ID != "d-2" {
		t.Fatalf("claimed %v, want only d-2 (d-1 is leased)", got)
	}
	if got := claimN(t, s, "new", t0.Add(2*time.Minute), 10); len(got) != 2 {
		t.Fatalf("after the lease expired claimed %d, want both", len(got))
	}
}

func succeeded(c *store.Claimed) store.AttemptResult {
	return store.AttemptResult{Org: c.Org, DeliveryID: c.ID, Webhook: c.Webhook, Status: api.DeliverySucceeded,
		Attempt: api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(t0), StatusCode: 204}}
}

// waitingReplica opens a store whose connections carry an application name
// of their own, and returns a function that waits until one of them waits
// for a lock.
func waitingReplica(t *testing.T, dsn string) (store.Store, func()) {
	t.Helper()
	app := "central_test_" + strings.ToLower(rand.Text()[:12])
	s := open(t, withParam(t, dsn, "application_name", app))
	return s, func() {
		t.Helper()
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		for range 1000 {
			var n int
			if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
				WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the replica never waited for a lock")
	}
}

// holdClaim runs a claim on s in a transaction that commits (sending its
// lease) only when commit is closed; claimed is closed once the claim has
// read its candidates and holds the claims lock.
func holdClaim(s store.Store, p store.ClaimParams, claimed, commit chan struct{}) <-chan error {
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(tx store.Tx) error {
			_, err := tx.DeliveryClaim(context.Background(), p)
			close(claimed)
			<-commit
			return err
		})
	}()
	return done
}

// A turn whose result comes after its lease expired empties that lease's
// row, then waits for the claims lock. The claim holding the lock passes
// over that row instead of waiting for it: waiting would deadlock.
func TestLateResultDoesNotDeadlockAClaim(t *testing.T) {
	dsn := freshSchema(t)
	r1, waitForLock := waitingReplica(t, dsn)
	r2 := open(t, dsn)
	queueDeliveries(t, r1, 3)
	late := claimN(t, r1, "r1", t0, 1) // its lease, a row of its own, ends at t0+1m
	later := t0.Add(2 * time.Minute)
	claimed, commit := make(chan struct{}), make(chan struct{})
	claimDone := holdClaim(r2, store.ClaimParams{Owner: "r2", Now: later, Lease: time.Minute, Limit: 1,
		Exclude: []api.WebhookRef{late[0].Webhook}}, claimed, commit)
	<-claimed
	turnDone := make(chan error, 1)
	go func() {
		turnDone <- r1.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.DeliveryFinish(context.Background(), []store.AttemptResult{succeeded(late[0])}); err != nil {
				return err
			}
			_, err := tx.DeliveryClaim(context.Background(), store.ClaimParams{Owner: "r1", Now: later, Lease: time.Minute, Limit: 1})
			return err
		})
	}()
	waitForLock() // r1 holds the expired lease's row and waits for the claims lock
	close(commit)
	if err := <-claimDone; err != nil {
		t.Fatalf("the claim holding the lock: %v", err)
	}
	if err := <-turnDone; err != nil {
		t.Fatalf("the late turn: %v", err)
	}
}

// A delivery retried by hand while a claim holds it keeps the lease that
// claim commits: the retry, which could not see the lease, marks it due,
// but no other claim takes it while its request is in flight.
func TestRetryKeepsALeaseCommittedMeanwhile(t *testing.T) {
	dsn := freshSchema(t)
	r1, waitForLock := waitingReplica(t, dsn)
	r2 := open(t, dsn)
	ids := queueDeliveries(t, r1, 1)
	claimed, commit := make(chan struct{}), make(chan struct{})
	claimDone := holdClaim(r2, store.ClaimParams{Owner: "r2", Now: t0, Lease: time.Minute, Limit: 1}, claimed, commit)
	<-claimed
	retryDone := make(chan error, 1)
	go func() {
		retryDone <- r1.Update(context.Background(), func(tx store.Tx) error {
			var list []string
			for id := range ids {
				list = append(list, id)
			}
			n, err := tx.DeliveryRetry(context.Background(), store.DeliveryFilter{Org: "org1"}, list, t0, false)
			if err == nil && n != 1 {
				err = fmt.Errorf("retried %d, want 1", n)
			}
			return err
		})
	}()
	waitForLock() // the retry waits for the row the claim locked
	close(commit)
	if err := <-claimDone; err != nil {
		t.Fatal(err)
	}
	if err := <-retryDone; err != nil {
		t.Fatal(err)
	}
	if got := claimN(t, r1, "r3", t0, 10); len(got) != 0 {
		t.Fatalf("after the retry %d claimable, want 0: the delivery is in flight", len(got))
	}
}

// Stores in two schemas of one database claim apart: each claims its own
// deliveries, under a claims lock of its own (a claim held open in one
// does not hold up the other; the context bounds the wait if it did).
func TestClaimsInTwoSchemasKeepApart(t *testing.T) {
	a, b := open(t, freshSchema(t)), open(t, freshSchema(t))
	queueDeliveries(t, a, 3)
	queueDeliveries(t, b, 2)
	claimed, commit := make(chan struct{}), make(chan struct{})
	aDone := holdClaim(a, store.ClaimParams{Owner: "a", Now: t0, Lease: time.Minute, Limit: 10}, claimed, commit)
	<-claimed
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []*store.Claimed
	err := b.Update(ctx, func(tx store.Tx) error {
		var err error
		got, err = tx.DeliveryClaim(ctx, store.ClaimParams{Owner: "b", Now: t0, Lease: time.Minute, Limit: 10})
		return err
	})
	close(commit)
	if err != nil {
		t.Fatalf("b's claim while a's is open: %v", err)
	}
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	// Had b read a's tables, it would have passed over a's three, locked
	// by a's open claim, and found none of its own.
	if len(got) != 2 {
		t.Fatalf("b claimed %d, want its own 2", len(got))
	}
}

// TestMigrationRedactsSecretEvents builds a schema with the migrations up
// to 008 holding events a central stored before api.RedactSecret, and
// checks that 009 takes the Secret's values out of them.
func TestMigrationRedactsSecretEvents(t *testing.T) {
	ctx := context.Background()
	dsn, conn := oldSchema(t, 8)
	for i, body := range storetest.SecretEvents {
		if _, err := conn.Exec(ctx, `INSERT INTO events (org_id, seq, id, body) VALUES ('org1', $1, $2, $3)`, i+1, fmt.Sprint("ev-", i+1), body); err != nil {
			t.Fatal(err)
		}
	}
	storetest.CheckSecretEventsRedacted(t, open(t, dsn))
}

// oldSchema makes a fresh schema with the migrations up to version, as a
// central of that schema left it, and returns its DSN and a connection to
// add rows with.
func oldSchema(t *testing.T, version int) (string, *pgx.Conn) {
	t.Helper()
	dsn := freshSchema(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	files, err := filepath.Glob("migrations/00*.sql")
	if err != nil || len(files) <= version {
		t.Fatalf("migration files: %v %v", files, err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for i, f := range files[:version] {
		body, err := os.ReadFile(f)
		if err == nil {
			_, err = conn.Exec(ctx, string(body))
		}
		if err == nil {
			_, err = conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, i+1, filepath.Base(f))
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return dsn, conn
}
