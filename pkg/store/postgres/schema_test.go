package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
	"github.com/centralhq/central/pkg/store/storetest"
)

// TestMigratedReportsAppliedMigrations: a new schema gets every migration
// and the store says so; opening it again applies none.
func TestMigratedReportsAppliedMigrations(t *testing.T) {
	names, known := storetest.MigrationFiles(t)
	dsn := freshSchema(t)
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Migrated(); !slices.Equal(got, names) || s.Schema() != known {
		t.Fatalf("first Open: Migrated() = %v, Schema() = %d; want %v, %d", got, s.Schema(), names, known)
	}
	s.Close()
	if again := open(t, dsn); len(again.Migrated()) != 0 || again.Schema() != known {
		t.Fatalf("second Open: Migrated() = %v, Schema() = %d; want none, %d", again.Migrated(), again.Schema(), known)
	}
}

// TestMigratedWhenRacing: of replicas that start together, each migration
// is reported by the one replica that applied it.
func TestMigratedWhenRacing(t *testing.T) {
	names, _ := storetest.MigrationFiles(t)
	dsn := freshSchema(t)
	const replicas = 4
	var wg sync.WaitGroup
	start := make(chan struct{})
	migrated := make([][]string, replicas)
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			<-start
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				migrated[i] = s.Migrated()
				s.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	var all []string
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		all = append(all, migrated[i]...)
	}
	slices.Sort(all)
	if !slices.Equal(all, names) {
		t.Fatalf("the replicas report %v, want each of %v once", migrated, names)
	}
}

// TestOpenRefusesNewerSchema: a schema a newer central migrated is
// refused, with both versions and the schema in the error, and nothing in
// it changes.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	_, known := storetest.MigrationFiles(t)
	dsn := freshSchema(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SettingPut(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	newer := known + 2
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
		newer, fmt.Sprintf("%03d_from_the_future.sql", newer)); err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	// snapshot is what a refused Open must leave alone: the migrations
	// recorded, the data, and the objects in the schema.
	snapshot := func() string {
		t.Helper()
		var out string
		err := conn.QueryRow(ctx, `SELECT
			(SELECT string_agg(version || ' ' || name || ' ' || applied_at, ', ' ORDER BY version) FROM schema_migrations) || ' | ' ||
			(SELECT string_agg(key || '=' || value, ', ' ORDER BY key) FROM settings) || ' | ' ||
			(SELECT string_agg(relname || ':' || relkind::text, ', ' ORDER BY relname) FROM pg_class WHERE relnamespace = current_schema()::regnamespace) || ' | ' ||
			(SELECT count(*) FROM pg_proc WHERE pronamespace = current_schema()::regnamespace)`).Scan(&out)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := snapshot()

	s, err = postgres.Open(ctx, dsn)
	if err == nil {
		s.Close()
		t.Fatalf("opened a schema of version %d, newer than %d", newer, known)
	}
	want := fmt.Sprintf("has schema version %d, newer than this central knows (%d)", newer, known)
	if msg := err.Error(); !strings.Contains(msg, want) || !strings.Contains(msg, fmt.Sprintf("%q", schema)) ||
		!strings.Contains(msg, "restore a backup") || strings.Contains(msg, "postgres://") {
		t.Errorf("error %q, want it to name schema %q, say %q and what to do, and not the DSN", msg, schema, want)
	}
	if after := snapshot(); after != before {
		t.Errorf("the refused Open changed the schema:\nbefore %s\nafter  %s", before, after)
	}
}
