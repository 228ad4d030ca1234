package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/sqlite"
	"github.com/centralhq/central/pkg/store/storetest"
)

// TestMigratedReportsAppliedMigrations: a new store applies every
// migration and says so; opening it again applies none.
func TestMigratedReportsAppliedMigrations(t *testing.T) {
	ctx := context.Background()
	names, known := storetest.MigrationFiles(t)
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Migrated(); !slices.Equal(got, names) || s.Schema() != known {
		t.Fatalf("first Open: Migrated() = %v, Schema() = %d; want %v, %d", got, s.Schema(), names, known)
	}
	s.Close()
	for _, open := range []func(context.Context, string) (*sqlite.Store, error){sqlite.Open, sqlite.OpenExclusive} {
		s, err := open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Migrated(); len(got) != 0 || s.Schema() != known {
			t.Errorf("second Open: Migrated() = %v, Schema() = %d; want none, %d", got, s.Schema(), known)
		}
		s.Close()
	}
}

// TestMigratedReportsTheRest: a store an older central left reports only
// the migrations it was missing.
func TestMigratedReportsTheRest(t *testing.T) {
	ctx := context.Background()
	names, _ := storetest.MigrationFiles(t)
	if len(names) < 2 {
		t.Skip("needs two migrations")
	}
	path := filepath.Join(t.TempDir(), "central.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names[:len(names)-1] {
		body, err := os.ReadFile(filepath.Join("migrations", name))
		if err == nil {
			_, err = old.ExecContext(ctx, string(body))
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	prev := strings.SplitN(names[len(names)-2], "_", 2)[0]
	if _, err := old.ExecContext(ctx, "PRAGMA user_version = "+prev); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := s.Migrated(), names[len(names)-1:]; !slices.Equal(got, want) {
		t.Fatalf("Migrated() = %v, want %v", got, want)
	}
}

// TestOpenRefusesNewerSchema: a store a newer central migrated is refused
// by Open and OpenExclusive alike, with both versions in the error, and
// the file is left exactly as it was.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	_, known := storetest.MigrationFiles(t)
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SettingPut(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	newer := known + 2
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	for name, open := range map[string]func(context.Context, string) (*sqlite.Store, error){
		"Open": sqlite.Open, "OpenExclusive": sqlite.OpenExclusive,
	} {
		s, err := open(ctx, path)
		if err == nil {
			s.Close()
			t.Fatalf("%s opened a store of schema version %d, newer than %d", name, newer, known)
		}
		want := fmt.Sprintf("the store at %s has schema version %d, newer than this central knows (%d)", path, newer, known)
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "restore a backup") {
			t.Errorf("%s: error %q, want it to say %q and what to do", name, err, want)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Errorf("%s changed the database file it refused", name)
		}
	}

	db, err = sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	var value string
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != newer {
		t.Errorf("user_version after the refused Opens: %d %v, want %d", version, err, newer)
	}
	if err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'k'").Scan(&value); err != nil || value != "v" {
		t.Errorf("setting after the refused Opens: %q %v", value, err)
	}
}
