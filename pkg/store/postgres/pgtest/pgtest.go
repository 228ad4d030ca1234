// Package pgtest gives tests a fresh PostgreSQL schema. It is imported only
// by tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DSN creates a schema of its own for the test, drops it when the test
// ends, and returns a DSN whose search_path is that schema. The server is
// CENTRAL_TEST_POSTGRES_DSN; without it the test fails in CI (CI set) and is
// skipped elsewhere.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CENTRAL_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CENTRAL_TEST_POSTGRES_DSN is not set; .ci/run sets it")
		}
		t.Skip("set CENTRAL_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run this test")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(ctx)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
