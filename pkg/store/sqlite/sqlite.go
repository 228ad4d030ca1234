// Package sqlite is the embedded store: one SQLite file in the data dir,
// through modernc.org/sqlite (pure Go, no cgo).
//
// SQLite allows one writer at a time, so the store keeps two pools: a single
// write connection (transactions begin IMMEDIATE, so they never fail midway
// on a lock upgrade) and a pool of readers that WAL mode lets run beside it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/centralhq/central/pkg/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite implementation of store.Store.
type Store struct {
	write, read  *sql.DB
	wstmt, rstmt []*sql.Stmt // prepared statements of each pool (stmt.go)

	// Updates queue to one writer goroutine (commit.go).
	writes     chan *writeReq
	quit       chan struct{}
	writerDone chan struct{}
	// committed tells the checkpointer that the WAL grew (checkpoint.go).
	committed        chan struct{}
	checkpointerDone chan struct{}

	leases leases   // the writer goroutine's alone (lease.go)
	lock   *os.File // held by OpenExclusive until Close

	migrated []string // the migrations this Open applied (Migrated)
	schema   int      // the schema version Open left (Schema)
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies any
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	dsn := func(extra string) string {
		q := url.Values{}
		for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(ON)"} {
			q.Add("_pragma", p)
		}
		return "file:" + path + "?" + q.Encode() + extra
	}
	// The writer checkpoints by itself only as a backstop (checkpoint.go).
	write, err := sql.Open("sqlite", dsn("&_txlock=immediate&_pragma="+url.QueryEscape(fmt.Sprintf("wal_autocheckpoint(%d)", backstopPages))))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	// Keep every reader open: a new connection costs the pragmas and
	// preparing every statement again.
	read.SetMaxIdleConns(readers)
	s := &Store{write: write, read: read, leases: leases{}}
	if err := s.migrate(ctx, path); err != nil {
		s.Close()
		if newer := (*newerError)(nil); errors.As(err, &newer) {
			return nil, err // names the path already
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The writer's savepoints (group commit) journal the pages they change
	// in memory: by default the journal went to a temporary file past 64
	// KiB, and writing it was a quarter of the writer's time under load.
	// Bulk Updates run alone, without a savepoint, so the journal stays as
	// small as a group of ordinary writes. Set after the migrations, whose
	// index builds may sort more than memory should hold.
	_, err = write.ExecContext(ctx, "PRAGMA temp_store = MEMORY")
	if err == nil {
		s.wstmt, err = prepareAll(ctx, write)
	}
	if err == nil {
		s.rstmt, err = prepareAll(ctx, read)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s.writes, s.quit, s.writerDone = make(chan *writeReq), make(chan struct{}), make(chan struct{})
	s.committed, s.checkpointerDone = make(chan struct{}, 1), make(chan struct{})
	go s.writer()
	go s.checkpointer()
	return s, nil
}

// migration is one embedded migration file.
type migration struct {
	version int
	name    string // the file's name, e.g. "003_manual_retry.sql"
}

// embedded lists the embedded migrations in order.
func embedded() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	list := make([]migration, 0, len(names))
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		list = append(list, migration{version: n, name: base})
	}
	return list, nil
}

// newerError: the store was migrated by a newer central, whose schema this
// one does not know; writing to it could corrupt it.
type newerError struct {
	path           string
	version, known int
}

func (e *newerError) Error() string {
	return fmt.Sprintf("the store at %s has schema version %d, newer than this central knows (%d): it was used by a newer central; run that version, or restore a backup made before the upgrade",
		e.path, e.version, e.known)
}

// migrate applies the embedded migrations newer than PRAGMA user_version,
// each in its own transaction, and records their names in s.migrated. It
// refuses, changing nothing, a store whose user_version is newer than every
// embedded migration.
func (s *Store) migrate(ctx context.Context, path string) error {
	list, err := embedded()
	if err != nil {
		return err
	}
	known := 0
	if len(list) > 0 {
		known = list[len(list)-1].version
	}
	var version int
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > known {
		return &newerError{path: path, version: version, known: known}
	}
	for _, m := range list {
		if m.version <= version {
			continue
		}
		applied, err := s.apply(ctx, m, path, known)
		if err != nil {
			return err
		}
		if applied {
			s.migrated = append(s.migrated, m.name)
		}
	}
	s.schema = known
	return nil
}

// apply runs one migration in a transaction, unless another process on
// the same file got there first: the write lock taken at BEGIN IMMEDIATE
// makes the user_version read inside it the latest.
func (s *Store) apply(ctx context.Context, m migration, path string, known int) (bool, error) {
	body, err := migrations.ReadFile("migrations/" + m.name)
	if err != nil {
		return false, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, err
	}
	switch {
	case version > known:
		return false, &newerError{path: path, version: version, known: known}
	case version >= m.version:
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Schema returns the schema version Open left the store at.
func (s *Store) Schema() int { return s.schema }

// Migrated returns the names of the migration files this Open applied, in
// order; none when the store was already up to date.
func (s *Store) Migrated() []string {
	return slices.Clone(s.migrated)
}

// Update runs fn in a write transaction, which it may share with other
// Updates waiting at the same moment (see commit.go); fn's changes commit
// only if fn returns nil, and Update returns after the commit.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	w := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1), alone: store.IsBulk(ctx)}
	select {
	case s.writes <- w:
	case <-s.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	res := <-w.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// View runs fn in a read-only transaction on the reader pool.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	if err := fn(&tx{tx: sqlTx, stmts: s.rstmt}); err != nil {
		sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// ResourceBody reads one resource's stored JSON on the reader pool.
func (s *Store) ResourceBody(ctx context.Context, k store.Key) ([]byte, error) {
	var body []byte
	err := s.rstmt[resourceGet].QueryRowContext(ctx, k.Org, k.Group, k.Kind, k.ScopeKind, k.ScopeName, k.Name).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return body, err
}

// Close closes both pools.
func (s *Store) Close() error {
	if s.quit != nil {
		close(s.quit)
		<-s.writerDone
		<-s.checkpointerDone
	}
	closeAll(s.wstmt)
	closeAll(s.rstmt)
	err1 := s.write.Close()
	err2 := s.read.Close()
	if s.lock != nil {
		s.lock.Close()
	}
	if err1 != nil {
		return err1
	}
	return err2
}

// ownerOnly makes the database file readable by its owner alone, creating
// it if needed: it holds Secrets in clear, and a data dir made by a package
// or by hand is often readable by everyone. SQLite gives its -wal and -shm
// files the database file's mode.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return os.Chmod(path, info.Mode().Perm()&0o700)
	}
	return nil
}
