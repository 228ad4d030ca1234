package postgres_test

import (
	"context"
	"crypto/rand"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
	"github.com/centralhq/central/pkg/store/storetest"
)

// baseDSN is the database the tests use, from CENTRAL_TEST_POSTGRES_DSN.
// Without it the tests skip, except in CI, where skipping would hide that
// the PostgreSQL store went untested.
func baseDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("CENTRAL_TEST_POSTGRES_DSN")
	switch {
	case dsn != "":
		return dsn
	case os.Getenv("CI") != "":
		t.Fatal("CI is set but CENTRAL_TEST_POSTGRES_DSN is not: the PostgreSQL store must be tested in CI")
	default:
		t.Skip("set CENTRAL_TEST_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests")
	}
	return ""
}

// freshSchema creates a schema with a random name, drops it when the test
// ends, and returns a DSN whose search_path is that schema.
func freshSchema(t *testing.T) string {
	t.Helper()
	dsn := baseDSN(t)
	ctx := context.Background()
	schema := "central_test_" + strings.ToLower(rand.Text()[:12])
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Error(err)
		}
	})
	return withParam(t, dsn, "search_path", schema)
}

// withParam adds a run-time parameter to a URL or key=value DSN.
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " " + key + "=" + value
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	baseDSN(t)
	storetest.Exercise(t, func(t *testing.T) store.Store { return open(t, freshSchema(t)) })
}

func TestOpenMigratesOnceWhenRacing(t *testing.T) {
	dsn := freshSchema(t)
	const replicas = 4
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			<-start
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, versions int
	if err := conn.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != len(files) || versions != len(files) {
		t.Fatalf("schema_migrations has %d rows (%d versions), want one per migration (%d)", rows, versions, len(files))
	}
	// And a later start applies nothing.
	open(t, dsn)
}

func TestSearchPathKeepsStoresApart(t *testing.T) {
	a, b := open(t, freshSchema(t)), open(t, freshSchema(t))
	ctx := context.Background()
	if err := a.Update(ctx, func(tx store.Tx) error { return tx.SettingPut(ctx, "k", "a") }); err != nil {
		t.Fatal(err)
	}
	err := b.View(ctx, func(tx store.Tx) error {
		_, err := tx.SettingGet(ctx, "k")
		return err
	})
	if err != store.ErrNotFound {
		t.Fatalf("a store in another schema sees the setting: %v", err)
	}
}
