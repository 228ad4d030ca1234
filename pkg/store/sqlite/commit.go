package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/centralhq/central/pkg/store"
)

// Group commit. SQLite has one writer, and committing (writing the changed
// pages to the WAL) was a quarter of every API create. Concurrent Updates
// therefore queue to one goroutine, which runs as many as are waiting in
// one transaction, each inside its own savepoint: a member whose fn fails
// is rolled back to its savepoint alone, and the rest commit together. Each
// caller's Update returns only after the commit, with the commit's error
// if it failed. One Update waiting alone runs as before, without a
// savepoint, and so does one marked store.Bulk, whatever else waits.
//
// Statements of a write run detached from the caller's context: the driver
// interrupts a statement whose context ends, and SQLite answers an
// interrupted write by rolling back the whole transaction, which would
// take the other members with it. A caller whose context has ended before
// its turn is skipped.

var (
	savepoint  = prepared(`SAVEPOINT member`)
	release    = prepared(`RELEASE member`)
	rollbackTo = prepared(`ROLLBACK TO member`)
)

// maxGroup bounds how many Updates share one commit.
const maxGroup = 64

var errClosed = errors.New("the store is closed")

type writeReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan writeResult
	// alone (store.Bulk) keeps the Update out of groups.
	alone bool
}

type writeResult struct {
	err      error
	panicked any
}

// writer runs the queued Updates until Close.
func (s *Store) writer() {
	defer close(s.writerDone)
	var next *writeReq // a bulk Update that ended the last group, first in the next
	for {
		var group []*writeReq
		if next != nil {
			group, next = []*writeReq{next}, nil
		} else {
			select {
			case w := <-s.writes:
				group = append(group, w)
			case <-s.quit:
				return
			}
		}
	more:
		for !group[0].alone && len(group) < maxGroup {
			select {
			case w := <-s.writes:
				if w.alone {
					next = w
					break more
				}
				group = append(group, w)
			default:
				break more
			}
		}
		s.commit(group)
	}
}

// commit runs a group in one transaction and tells each member how it
// ended.
func (s *Store) commit(group []*writeReq) {
	ctx := context.Background()
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		for _, w := range group {
			w.done <- writeResult{err: err}
		}
		return
	}
	t := &tx{tx: sqlTx, stmts: s.wstmt, detached: true, leases: s.leases}
	alone := len(group) == 1
	var members []*writeReq // those whose fn succeeded, waiting for the commit
	for i, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.done <- writeResult{err: err}
			continue
		}
		if !alone {
			if _, err := t.exec(ctx, savepoint); err != nil {
				s.abort(t, append(members, group[i:]...), err)
				return
			}
		}
		mark := len(t.undo)
		res := run(w.fn, t)
		if res.err == nil && res.panicked == nil {
			if !alone {
				if _, err := t.exec(ctx, release); err != nil {
					s.abort(t, append(members, group[i:]...), err)
					return
				}
			}
			members = append(members, w)
			continue
		}
		t.undoLeases(mark)
		if alone {
			sqlTx.Rollback()
			w.done <- res
			return
		}
		if _, err = t.exec(ctx, rollbackTo); err == nil {
			_, err = t.exec(ctx, release)
		}
		if err != nil {
			// SQLite rolled the whole transaction back (an I/O error, say).
			w.done <- res
			s.abort(t, append(members, group[i+1:]...), err)
			return
		}
		w.done <- res
	}
	if err = sqlTx.Commit(); err != nil {
		t.undoLeases(0)
	} else {
		s.checkpointSoon()
	}
	for _, w := range members {
		w.done <- writeResult{err: err}
	}
}

// abort rolls the group's transaction back and fails the members that
// were in it or still to run.
func (s *Store) abort(t *tx, members []*writeReq, cause error) {
	t.tx.Rollback()
	t.undoLeases(0)
	err := fmt.Errorf("the write transaction was rolled back: %w", cause)
	for _, w := range members {
		w.done <- writeResult{err: err}
	}
}

// run calls fn, turning a panic into a result the caller re-raises.
func run(fn func(store.Tx) error, t *tx) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panicked: p}
		}
	}()
	return writeResult{err: fn(t)}
}
