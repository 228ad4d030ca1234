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
	if err := s.migrate(ctx); err != nil {
		s.Close()
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

// migrate applies the embedded migrations newer than PRAGMA user_version.
func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		if n <= version {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
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
