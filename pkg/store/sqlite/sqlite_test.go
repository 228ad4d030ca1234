package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/sqlite"
	"github.com/centralhq/central/pkg/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Exercise(t, func(t *testing.T) store.Store { return open(t) })
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

// TestGroupCommit: Updates that wait together share a transaction, yet
// each one's changes commit or roll back on its own, sequence ids stay
// gap-free, and a panic reaches its own caller only.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	const n = 200
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.SequenceNext(ctx, "org"); err != nil {
					return err
				}
				if err := tx.SettingPut(ctx, fmt.Sprint("k", i), "v"); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errors.New("refused")
				case 2:
					if i%8 == 2 {
						panic("boom")
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	kept := 0
	for i := range n {
		switch {
		case i%4 == 1 && (errs[i] == nil || errs[i].Error() != "refused"):
			t.Errorf("update %d: want its own error, got %v", i, errs[i])
		case i%8 == 2 && panics[i] != "boom":
			t.Errorf("update %d: want its panic, got %v", i, panics[i])
		case i%4 != 1 && i%8 != 2 && (errs[i] != nil || panics[i] != nil):
			t.Errorf("update %d failed: %v %v", i, errs[i], panics[i])
		case i%4 != 1 && i%8 != 2:
			kept++
		}
	}
	var settings map[string]string
	var next int64
	err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		if settings, err = tx.SettingList(ctx); err != nil {
			return err
		}
		next, err = tx.SequenceNext(ctx, "org")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(settings) != kept || next != int64(kept+1) {
		t.Fatalf("%d settings and next sequence %d; want %d and %d", len(settings), next, kept, kept+1)
	}
	for i := range n {
		if _, ok := settings[fmt.Sprint("k", i)]; ok != (i%4 != 1 && i%8 != 2) {
			t.Errorf("setting k%d stored: %v", i, ok)
		}
	}
}

// A bulk Update (store.Bulk) gets a transaction of its own, while
// ordinary Updates queued together share theirs.
func TestBulkUpdateRunsAlone(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	// Hold the writer until everything below is queued.
	release, held := make(chan struct{}), make(chan struct{})
	go s.Update(ctx, func(store.Tx) error { close(held); <-release; return nil })
	<-held
	var mu sync.Mutex
	txOf := map[string]store.Tx{}
	update := func(ctx context.Context, name string) {
		err := s.Update(ctx, func(tx store.Tx) error {
			mu.Lock()
			txOf[name] = tx
			mu.Unlock()
			return tx.SettingPut(ctx, name, "v")
		})
		if err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	queue := func(ctx context.Context, name string) {
		wg.Go(func() { update(ctx, name) })
		time.Sleep(5 * time.Millisecond) // most likely queued in this order
	}
	queue(ctx, "a1")
	queue(ctx, "a2")
	queue(store.Bulk(ctx), "bulk")
	queue(ctx, "b1")
	queue(ctx, "b2")
	close(release)
	wg.Wait()
	// However the five were queued, at least two ordinary ones were next
	// to each other.
	shared := map[store.Tx]int{}
	for _, name := range []string{"a1", "a2", "b1", "b2"} {
		if txOf[name] == txOf["bulk"] {
			t.Errorf("the bulk update shared %s's transaction", name)
		}
		shared[txOf[name]]++
	}
	if len(shared) == 4 {
		t.Error("no ordinary updates queued together shared a transaction")
	}
}

// TestUpdateAfterClose fails instead of waiting forever.
func TestUpdateAfterClose(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Update(ctx, func(store.Tx) error { return nil }); err == nil {
		t.Fatal("an Update after Close succeeded")
	}
}

// TestOpenExclusive: a second server on the same file is refused with a
// message that says what to do, and the file is free again after Close.
func TestOpenExclusive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.OpenExclusive(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.OpenExclusive(ctx, path); err == nil || !strings.Contains(err.Error(), "in use by another central server") {
		t.Fatalf("second server on the same file: %v", err)
	}
	s.Close()
	s, err = sqlite.OpenExclusive(ctx, path)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	s.Close()
}

// TestCheckpointerCopiesCommits: the writer no longer checkpoints by
// itself until the WAL is large, so the store's own checkpointer must copy
// commits into the database file while the store is open.
func TestCheckpointerCopiesCommits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 { // 50 settings of 4 KiB: 200 KiB more in the file once copied
		value := fmt.Sprint(i, strings.Repeat("x", 4096))
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.SettingPut(ctx, fmt.Sprint("k", i), value) }); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() >= before.Size()+50*4096 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes (%d before 200 KiB of commits): nothing checkpointed them", info.Size(), before.Size())
		}
	}
}

// TestMigrationKeepsResources opens a database made by the migrations up
// to 010, whose resources table was WITHOUT ROWID, and checks that 011
// keeps every resource, their order and the uniqueness of their keys.
func TestMigrationKeepsResources(t *testing.T) {
	ctx := context.Background()
	path, old := oldDatabase(t, 10)
	doc := func(kind, name string, seq int) string {
		return fmt.Sprintf(`{"group":"management","apiVersion":"v1","kind":%q,"name":%q,"metadata":{"id":"id-%s","resourceVersion":"%d"}}`, kind, name, name, seq)
	}
	for i, r := range []struct{ kind, scope, name string }{
		{"Environment", "", "prod"}, {"APIService", "prod", "petstore"}, {"Environment", "", "dev"},
	} {
		scopeKind := ""
		if r.scope != "" {
			scopeKind = "Environment"
		}
		if _, err := old.ExecContext(ctx, `INSERT INTO resources (org_id, grp, kind, scope_kind, scope_name, name, id, created_seq, body)
			VALUES ('org1', 'management', ?, ?, ?, ?, ?, ?, ?)`, r.kind, scopeKind, r.scope, r.name, "id-"+r.name, i+1, doc(r.kind, r.name, i+1)); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open a version-10 database: %v", err)
	}
	defer s.Close()
	body, err := s.ResourceBody(ctx, store.Key{Org: "org1", Group: "management", Kind: "APIService", ScopeKind: "Environment", ScopeName: "prod", Name: "petstore"})
	if err != nil || !strings.Contains(string(body), `"petstore"`) {
		t.Fatalf("get after migration: %s %v", body, err)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		envs, err := tx.ResourceList(ctx, store.ResourceFilter{Org: "org1", Kind: "Environment"})
		if err != nil || len(envs) != 2 || envs[0].Name != "prod" || envs[1].Name != "dev" {
			t.Fatalf("list after migration, in creation order: %v %v", envs, err)
		}
		return nil
	})
	dup := &api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "Environment", Name: "prod"}
	dup.Metadata.ID, dup.Metadata.ResourceVersion = "id-other", "9"
	err = s.Update(ctx, func(tx store.Tx) error { return tx.ResourceCreate(ctx, "org1", dup, nil) })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second prod after migration: got %v, want ErrConflict", err)
	}
}

// The database holds Secrets in clear: its files are its owner's alone,
// whatever the data dir's mode.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "central.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want -rw-------", p, info.Mode(), err)
		}
	}
}

// TestMigrationRedactsSecretEvents opens a database made by the migrations
// up to 011 holding events a central stored before api.RedactSecret, and
// checks that 012 takes the Secret's values out of them.
func TestMigrationRedactsSecretEvents(t *testing.T) {
	ctx := context.Background()
	path, old := oldDatabase(t, 11)
	for i, body := range storetest.SecretEvents {
		if _, err := old.ExecContext(ctx, `INSERT INTO events (org_id, seq, id, body) VALUES ('org1', ?, ?, ?)`, i+1, fmt.Sprint("ev-", i+1), body); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open a version-11 database: %v", err)
	}
	defer s.Close()
	storetest.CheckSecretEventsRedacted(t, s)
}

// oldDatabase makes a database file with the migrations up to version, as
// a central of that schema left it, and returns its path and a connection
// to add rows with (close it before opening the store).
func oldDatabase(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/0*.sql")
	if err != nil || len(files) <= version {
		t.Fatalf("migration files: %v %v", files, err)
	}
	for _, f := range files[:version] {
		body, err := os.ReadFile(f)
		if err == nil {
			_, err = db.ExecContext(ctx, string(body))
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		t.Fatal(err)
	}
	return path, db
}
