package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
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
		rs = append(rs, store.AttemptResult{Org: c.Org, DeliveryID: c.ID, Webhook: c.Webhook, Status: api.DeliverySucceeded,
			Attempt: api.Attempt{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(t0), StatusCode: 204}})
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
	dsn := freshSchema(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	files, err := filepath.Glob("migrations/00*.sql")
	if err != nil || len(files) < 7 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for i, f := range files[:6] {
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
