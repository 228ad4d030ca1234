package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/sqlite"
	"github.com/centralhq/central/pkg/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Exercise(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "central.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SettingPut(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen (migrations must not run twice): %v", err)
	}
	defer s.Close()
	_ = s.View(ctx, func(tx store.Tx) error {
		if v, err := tx.SettingGet(ctx, "k"); v != "v" {
			t.Fatalf("after reopen: %q %v", v, err)
		}
		return nil
	})
}
