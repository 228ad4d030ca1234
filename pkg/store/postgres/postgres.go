// Package postgres is the scale-out store: PostgreSQL through pgx (pgxpool),
// for several replicas of the server sharing one database.
//
// It keeps the SQLite store's tables and semantics, with what several
// writers on several machines add:
//
//   - SQLite has one writer, so a read-modify-write of a resource can never
//     interleave with another. Here a write transaction takes an advisory
//     lock on an organization the first time it reads or writes that
//     organization's resources, sequence or events, and one on the settings
//     the first time it touches them (see tx.lock), so those transactions
//     still run one after another. Delivery calls take no such lock:
//     dispatchers on several replicas run side by side on row locks.
//   - Claims use FOR UPDATE SKIP LOCKED, so two replicas never take the same
//     delivery, and a committed DeliveryInsert wakes every replica's
//     dispatcher through LISTEN/NOTIFY (see Listen).
//   - DeliveryReleaseLeases frees other replicas' leases too: a server on
//     this store must not call it at start (expired leases free themselves).
//
// View transactions are REPEATABLE READ, READ ONLY: one snapshot for the
// whole function, as a SQLite WAL reader sees.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/centralhq/central/pkg/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool *pgxpool.Pool
	// closed ends Listen when the store is closed.
	closed context.Context
	close  context.CancelFunc
	// migrated: the migrations this Open applied (Migrated).
	migrated []string
	schema   int // the schema version, once Open has migrated it
}

var _ store.Store = (*Store)(nil)

// DefaultConnectTimeout bounds a connection when the DSN sets no
// connect_timeout (a variable for tests).
var DefaultConnectTimeout = 10 * time.Second

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string; pool settings such as pool_max_conns are honoured) and
// applies any pending migrations. Tables live in the first schema of the
// search_path, which the DSN may set (search_path=NAME), so several stores
// can share one database.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without one, a connection to a host that does not answer waits
		// for the system's timeout, minutes on Linux.
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	return openConfig(ctx, cfg)
}

func openConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	s.closed, s.close = context.WithCancel(context.Background())
	if err := s.migrate(ctx); err != nil {
		s.Close()
		if newer := (*newerError)(nil); errors.As(err, &newer) {
			return nil, err
		}
		if noSchema := (*noSchemaError)(nil); errors.As(err, &noSchema) {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		return nil, fmt.Errorf("postgres: opening the store: %w", err)
	}
	return s, nil
}

// migrationLock is the session advisory lock replicas take around
// migrating, keyed by schema so stores in other schemas do not wait.
const migrationLock = `hashtextextended('central.migrate/' || coalesce(current_schema(), ''), 0)`

// migrate applies the embedded migrations not yet in schema_migrations,
// each in its own transaction, holding a session advisory lock so replicas
// that start together apply each migration once.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+migrationLock+`)`); err != nil {
		return err
	}
	s.migrated, s.schema, err = applyMigrations(ctx, conn.Conn())
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "3F000" {
		err = noSchema(ctx, conn.Conn(), pgErr)
	}
	// The lock belongs to the session: when unlocking fails, closing the
	// connection releases it instead.
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+migrationLock+`)`); uerr != nil {
		conn.Conn().Close(context.WithoutCancel(ctx))
	}
	return err
}

// newerError: the schema was migrated by a newer central, whose tables
// this one does not know; writing to them could corrupt them.
type newerError struct {
	database, schema string
	version, known   int
}

func (e *newerError) Error() string {
	return fmt.Sprintf("the store in schema %q of database %q has schema version %d, newer than this central knows (%d): it was used by a newer central; run that version, or restore a backup made before the upgrade",
		e.schema, e.database, e.version, e.known)
}

// noSchemaError: the search_path names no schema the role may create the
// tables in (SQLSTATE 3F000, "no schema has been selected to create in").
// It names the search_path, never the DSN.
type noSchemaError struct {
	searchPath string
	err        *pgconn.PgError
}

func (e *noSchemaError) Error() string {
	return fmt.Sprintf("the search_path (%s) names no schema this role may create tables in: "+
		"create it (CREATE SCHEMA name), grant the role USAGE and CREATE on it, or set search_path=NAME in the DSN to one that exists", e.searchPath)
}

func (e *noSchemaError) Unwrap() error { return e.err }

// noSchema explains a 3F000 from migrating with the session's search_path.
func noSchema(ctx context.Context, conn *pgx.Conn, pgErr *pgconn.PgError) error {
	e := &noSchemaError{err: pgErr}
	if err := conn.QueryRow(ctx, `SELECT current_setting('search_path')`).Scan(&e.searchPath); err != nil {
		return pgErr
	}
	return e
}

// applyMigrations applies the embedded migrations not yet in
// schema_migrations and returns the names of those it applied, and the
// schema version it leaves. It refuses, changing nothing, a schema
// migrated past every embedded migration.
func applyMigrations(ctx context.Context, conn *pgx.Conn) ([]string, int, error) {
	type migration struct {
		version int
		name    string
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, 0, err
	}
	sort.Strings(names)
	var list []migration
	known := 0
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, 0, fmt.Errorf("migration %s: name must start with a number", base)
		}
		list = append(list, migration{n, base})
		known = max(known, n)
	}
	// Check before creating anything: a newer central's schema has the
	// table already, and a refused Open must leave it as it was. The table
	// is the one in the first schema of the search_path, where CREATE puts
	// it.
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass(quote_ident(current_schema()) || '.schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, 0, err
	}
	done := map[int]bool{}
	if exists {
		rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return nil, 0, err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return nil, 0, err
		}
		newest := 0
		for _, v := range applied {
			done[int(v)] = true
			newest = max(newest, int(v))
		}
		if newest > known {
			e := &newerError{version: newest, known: known}
			if err := conn.QueryRow(ctx, `SELECT current_database(), coalesce(current_schema(), '')`).Scan(&e.database, &e.schema); err != nil {
				return nil, 0, err
			}
			return nil, 0, e
		}
	} else if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, 0, err
	}
	var ran []string
	for _, m := range list {
		if done[m.version] {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + m.name)
		if err != nil {
			return ran, known, err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// No arguments: pgx sends it as a simple query, which may hold
			// several statements.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		if err != nil {
			return ran, known, fmt.Errorf("migration %s: %w", m.name, err)
		}
		ran = append(ran, m.name)
	}
	return ran, known, nil
}

// Schema returns the schema version Open left the store at.
func (s *Store) Schema() int { return s.schema }

// Migrated returns the names of the migration files this Open applied, in
// order; none when the schema was already up to date (or another replica
// migrated it first).
func (s *Store) Migrated() []string {
	return slices.Clone(s.migrated)
}

// Update runs fn in a READ COMMITTED transaction. Claims need READ
// COMMITTED: SKIP LOCKED and a re-check of rows changed since the statement
// began keep dispatchers apart without serialization failures.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, beginWrite, true, fn)
}

// View runs fn in a REPEATABLE READ, READ ONLY transaction: every read sees
// the same snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, beginView, false, fn)
}

// run runs fn in a transaction begun with begin, on a pipe: BEGIN goes to
// the server with the transaction's first awaited statement.
func (s *Store) run(ctx context.Context, begin string, write bool, fn func(store.Tx) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection left inside a transaction (a failed rollback or
	// commit) is closed by the pool instead of being reused.
	defer conn.Release()
	p := newPipe(conn, begin)
	if err := fn(&tx{tx: p, write: write}); err != nil {
		p.rollback(ctx)
		return err
	}
	return p.commit(ctx)
}

// ResourceBody reads one resource's stored JSON.
func (s *Store) ResourceBody(ctx context.Context, k store.Key) ([]byte, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM resources WHERE `+keyWhere,
		k.Org, k.Group, k.Kind, k.ScopeKind, k.ScopeName, k.Name).Scan(&body)
	if err != nil {
		return nil, notFound(err)
	}
	return body, nil
}

// Close ends Listen and closes the pool.
func (s *Store) Close() error {
	s.close()
	s.pool.Close()
	return nil
}

// notFound maps pgx's no-rows error to store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
