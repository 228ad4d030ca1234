package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/centralhq/central/pkg/store/postgres"
)

// TestOpenExplainsASearchPathWithNoSchema: a search_path naming no schema
// that exists fails Open with what to do, not PostgreSQL's "no schema has
// been selected to create in", and without the DSN.
func TestOpenExplainsASearchPathWithNoSchema(t *testing.T) {
	dsn := baseDSN(t)
	nosuch := "central_test_nosuch_" + strings.ToLower(rand.Text()[:12])
	s, err := postgres.Open(context.Background(), withParam(t, dsn, "search_path", nosuch))
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	want := "postgres: the search_path (" + nosuch + ") names no schema this role may create tables in: create it (CREATE SCHEMA name)"
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), dsn) {
		t.Errorf("error\n%s\nwant it to start\n%s\nand not to hold the DSN", err, want)
	}
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "3F000" {
		t.Errorf("error %v does not wrap the 3F000 PgError", err)
	}
}
