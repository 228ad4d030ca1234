package discovery

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/client"
)

// clock is a settable time source for load.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestCache(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

	t.Run("hit", func(t *testing.T) {
		f, c := newFakeServer(t)
		dir, clk := t.TempDir(), &clock{start}
		first, err := load(ctx, c, dir, false, clk.now)
		if err != nil {
			t.Fatal(err)
		}
		clk.t = start.Add(11 * time.Hour)
		second, err := load(ctx, c, dir, false, clk.now)
		if err != nil {
			t.Fatal(err)
		}
		if n := f.fetches(); n != 2 { // management and catalog, once
			t.Errorf("%d group fetches, want 2 (second load from cache)", n)
		}
		if len(second.Definitions) != len(first.Definitions) || second.Definitions[1].ShortNames[1] != "envs" {
			t.Errorf("cached set differs: %+v", second.Definitions)
		}
	})

	t.Run("resourceVersion change", func(t *testing.T) {
		f, c := newFakeServer(t)
		dir, clk := t.TempDir(), &clock{start}
		mustLoad(t, c, dir, false, clk)
		f.setVersion("catalog", "4")
		mustLoad(t, c, dir, false, clk)
		if n := f.fetches(); n != 4 {
			t.Errorf("%d group fetches, want 4 (refetch after the version changed)", n)
		}
		mustLoad(t, c, dir, false, clk) // the refetched set was cached again
		if n := f.fetches(); n != 4 {
			t.Errorf("%d group fetches, want 4", n)
		}
	})

	t.Run("expired", func(t *testing.T) {
		f, c := newFakeServer(t)
		dir, clk := t.TempDir(), &clock{start}
		mustLoad(t, c, dir, false, clk)
		clk.t = start.Add(12 * time.Hour)
		mustLoad(t, c, dir, false, clk)
		if n := f.fetches(); n != 4 {
			t.Errorf("%d group fetches, want 4 (cache older than 12h)", n)
		}
	})

	t.Run("no-cache", func(t *testing.T) {
		f, c := newFakeServer(t)
		dir, clk := t.TempDir(), &clock{start}
		mustLoad(t, c, dir, false, clk)
		mustLoad(t, c, dir, true, clk)
		if n := f.fetches(); n != 4 {
			t.Errorf("%d group fetches, want 4 (refresh skips the cache)", n)
		}
	})

	t.Run("corrupt", func(t *testing.T) {
		f, c := newFakeServer(t)
		dir, clk := t.TempDir(), &clock{start}
		mustLoad(t, c, dir, false, clk)
		file := cachePath(dir, c.BaseURL())
		if err := os.WriteFile(file, []byte(`{"format":1,"set":{"definitions":[`), 0o644); err != nil {
			t.Fatal(err)
		}
		s := mustLoad(t, c, dir, false, clk)
		if len(s.Definitions) != 8 || f.fetches() != 4 {
			t.Errorf("after a corrupt cache: %d definitions, %d fetches", len(s.Definitions), f.fetches())
		}
	})

	t.Run("unwritable", func(t *testing.T) {
		_, c := newFakeServer(t)
		blocker := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(blocker, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		// A cache dir below a regular file can never be created.
		s := mustLoad(t, c, filepath.Join(blocker, "cache"), false, &clock{start})
		if len(s.Definitions) != 8 {
			t.Errorf("got %d definitions", len(s.Definitions))
		}
	})
}

func mustLoad(t *testing.T, c *client.Client, dir string, refresh bool, clk *clock) *Set {
	t.Helper()
	s, err := load(context.Background(), c, dir, refresh, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCachePath(t *testing.T) {
	got := cachePath("/c", "http://127.0.0.1:8080")
	if want := filepath.Join("/c", "definitions-http_127.0.0.1_8080.json"); got != want {
		t.Errorf("cachePath = %q, want %q", got, want)
	}
	if cachePath("", "http://x") != "" {
		t.Error("an empty cache dir must disable the cache")
	}
}
