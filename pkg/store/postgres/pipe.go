package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipe runs one transaction on a pooled connection in as few round trips
// as it can. Statements whose results nothing waits for (BEGIN, advisory
// locks, writes that return nothing) are queued with later and go to the
// server in one batch with the next statement whose result is awaited, and
// COMMIT goes with whatever is still queued. A transaction is then one
// round trip per awaited read plus one: a dispatcher's turn (begin, record
// results, take the claims lock and read candidates; lease, commit) is two
// instead of five.
//
// A queued statement runs in its place in the order of statements, so
// what it does is seen by the ones after it; its error is returned by the
// call that sends it, or by commit, and fails the transaction as it would
// have failed it at once.
type pipe struct {
	conn  *pgxpool.Conn
	queue []*pgx.QueuedQuery
	begun bool // BEGIN has been sent
}

// Each transaction's first statement, queued like the others.
const (
	beginWrite = `BEGIN`
	beginView  = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
)

func newPipe(conn *pgxpool.Conn, begin string) *pipe {
	p := &pipe{conn: conn}
	p.later(begin)
	return p
}

// later queues a statement to go with the next one sent.
func (p *pipe) later(sql string, args ...any) {
	p.queue = append(p.queue, &pgx.QueuedQuery{SQL: sql, Arguments: args})
}

// send sends b after the queued statements, in one round trip. The results
// returned are b's: the queued statements' are read (and their first
// error returned) before them.
func (p *pipe) send(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if len(p.queue) == 0 {
		return p.conn.SendBatch(ctx, b)
	}
	all := &pgx.Batch{QueuedQueries: append(p.queue, b.QueuedQueries...)}
	n := len(p.queue)
	p.queue, p.begun = nil, true
	return &afterQueued{br: p.conn.SendBatch(ctx, all), n: n}
}

// sendOne sends one statement after the queued ones.
func (p *pipe) sendOne(ctx context.Context, sql string, args []any) pgx.BatchResults {
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	return p.send(ctx, b)
}

func (p *pipe) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults { return p.send(ctx, b) }

func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(p.queue) == 0 {
		return p.conn.Exec(ctx, sql, args...)
	}
	br := p.sendOne(ctx, sql, args)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if len(p.queue) == 0 {
		return p.conn.Query(ctx, sql, args...)
	}
	br := p.sendOne(ctx, sql, args)
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(p.queue) == 0 {
		return p.conn.QueryRow(ctx, sql, args...)
	}
	br := p.sendOne(ctx, sql, args)
	return batchRow{row: br.QueryRow(), br: br}
}

// commit sends COMMIT with what is still queued. A transaction that sent
// nothing but BEGIN has nothing to commit and sends nothing.
func (p *pipe) commit(ctx context.Context) error {
	if !p.begun && len(p.queue) <= 1 {
		return nil
	}
	br := p.sendOne(ctx, `COMMIT`, nil)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.String() != "COMMIT" {
		// The server answers ROLLBACK to the COMMIT of a failed transaction.
		err = pgx.ErrTxCommitRollback
	}
	return err
}

// rollback ends a transaction that has begun. When it fails (context done,
// connection lost), the pool closes the connection, which rolls back all
// the same.
func (p *pipe) rollback(ctx context.Context) {
	if p.begun {
		_, _ = p.conn.Exec(ctx, `ROLLBACK`)
	}
}

// afterQueued reads the results of the queued statements sent ahead of a
// batch before the batch's own.
type afterQueued struct {
	br  pgx.BatchResults
	n   int // queued statements' results still to read
	err error
}

func (a *afterQueued) skip() error {
	for ; a.n > 0 && a.err == nil; a.n-- {
		_, a.err = a.br.Exec()
	}
	return a.err
}

func (a *afterQueued) Exec() (pgconn.CommandTag, error) {
	if err := a.skip(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return a.br.Exec()
}

func (a *afterQueued) Query() (pgx.Rows, error) {
	if err := a.skip(); err != nil {
		return nil, err
	}
	return a.br.Query()
}

func (a *afterQueued) QueryRow() pgx.Row {
	if err := a.skip(); err != nil {
		return errRow{err}
	}
	return a.br.QueryRow()
}

func (a *afterQueued) Close() error {
	err := a.br.Close()
	if a.err != nil {
		return a.err
	}
	return err
}

func (a *afterQueued) Tx() pgx.Tx { return nil }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRow closes its one-statement batch once scanned.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// batchRows closes its one-statement batch when the rows are done.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if err := r.br.Close(); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}
