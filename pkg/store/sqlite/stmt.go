package sqlite

import (
	"context"
	"database/sql"
)

// stmt names a statement that the store prepares once per connection. The
// driver parses the text of an unprepared statement on every call, and that
// parsing was the largest single cost on the dispatcher's and the API's
// paths. Statements whose text varies (IN lists, optional filters) are not
// prepared.
type stmt int

var stmtText []string

// prepared registers a statement; call it only from package-level vars.
func prepared(text string) stmt {
	stmtText = append(stmtText, text)
	return stmt(len(stmtText) - 1)
}

// prepareAll prepares every registered statement on db. database/sql then
// prepares each again, once, on any other connection of the pool that
// runs it (Tx.StmtContext), and keeps it until the connection closes.
func prepareAll(ctx context.Context, db *sql.DB) ([]*sql.Stmt, error) {
	out := make([]*sql.Stmt, len(stmtText))
	for i, text := range stmtText {
		s, err := db.PrepareContext(ctx, text)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func closeAll(stmts []*sql.Stmt) {
	for _, s := range stmts {
		if s != nil {
			s.Close()
		}
	}
}

// stmt returns s bound to the transaction. database/sql closes the bound
// statements when the transaction ends. Binding is done without the
// caller's context: a statement bound under one that had ended would keep
// that error for the rest of the transaction.
func (t *tx) stmt(s stmt) *sql.Stmt {
	if t.bound == nil {
		t.bound = make([]*sql.Stmt, len(t.stmts))
	}
	if t.bound[s] == nil {
		t.bound[s] = t.tx.StmtContext(context.Background(), t.stmts[s])
	}
	return t.bound[s]
}

func (t *tx) exec(ctx context.Context, s stmt, args ...any) (sql.Result, error) {
	ctx = t.ctx(ctx)
	return t.stmt(s).ExecContext(ctx, args...)
}

func (t *tx) query(ctx context.Context, s stmt, args ...any) (*sql.Rows, error) {
	ctx = t.ctx(ctx)
	return t.stmt(s).QueryContext(ctx, args...)
}

func (t *tx) queryRow(ctx context.Context, s stmt, args ...any) *sql.Row {
	ctx = t.ctx(ctx)
	return t.stmt(s).QueryRowContext(ctx, args...)
}
