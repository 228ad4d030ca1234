package sqlite

import (
	"context"
	"time"
)

// Checkpoints. SQLite's automatic checkpoint runs inside the commit that
// takes the WAL past its threshold: that commit also copies the WAL into
// the database file and syncs it, and every write queued behind it waits
// (it was a sixth of the writer's time draining a backlog). Instead, a
// goroutine of the store's own checkpoints a moment after commits, on a
// reader connection, in PASSIVE mode, which never waits for the writer or
// readers; frames it cannot copy yet wait for the next round. The
// automatic checkpoint stays on as a backstop at a much larger WAL, should
// this one fall behind.

const (
	// checkpointEvery is how long the checkpointer lets commits gather
	// before copying them (a page changed by many commits is copied once).
	checkpointEvery = 100 * time.Millisecond
	// backstopPages is the WAL size at which the writer checkpoints by
	// itself (SQLite's default is 1,000 pages).
	backstopPages = 20_000
)

// checkpointSoon tells the checkpointer that a commit grew the WAL; it
// never blocks.
func (s *Store) checkpointSoon() {
	select {
	case s.committed <- struct{}{}:
	default:
	}
}

// checkpointer runs until Close.
func (s *Store) checkpointer() {
	defer close(s.checkpointerDone)
	timer := time.NewTimer(0)
	<-timer.C
	for {
		select {
		case <-s.committed:
		case <-s.quit:
			return
		}
		timer.Reset(checkpointEvery)
		select {
		case <-timer.C:
		case <-s.quit:
			return
		}
		// An error (the database busy, say) leaves the frames for the
		// next round or for the backstop.
		_, _ = s.read.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}
}
