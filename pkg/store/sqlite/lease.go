package sqlite

import "github.com/centralhq/central/pkg/store"

// Leases of the embedded store live in memory, not in the deliveries
// table. The database file is locked to one Store (lock.go), which has one
// dispatcher, so a lease never needs to outlive the process; and keeping it
// out of the table saves, per delivery, a row rewrite and the index
// changes that come with it, and claims count leases without a statement.
//
// Only write transactions change leases, all on the writer goroutine
// (commit.go), so the table needs no lock of its own. A transaction keeps
// an undo log: a member rolled back to its savepoint, or a transaction
// rolled back or failing to commit, puts back the leases it changed.
type leases map[string]lease

type lease struct {
	owner   string
	until   int64  // unix ms
	webhook string // webhookKey
}

// leaseUndo is one change to put back: the lease id had before (if any).
type leaseUndo struct {
	id   string
	prev lease
	had  bool
}

func (t *tx) setLease(id string, l lease) {
	prev, had := t.leases[id]
	t.undo = append(t.undo, leaseUndo{id, prev, had})
	t.leases[id] = l
}

func (t *tx) dropLease(id string) {
	if prev, had := t.leases[id]; had {
		t.undo = append(t.undo, leaseUndo{id, prev, true})
		delete(t.leases, id)
	}
}

// superseded reports whether r's delivery has been claimed again since the
// claim r comes from, and that claim's request is in flight: it holds a
// later lease. (One that has finished shows by the delivery's count of
// attempts: deliveryFinish.)
func (t *tx) superseded(r *store.AttemptResult) bool {
	l, ok := t.leases[r.DeliveryID]
	return ok && !r.LeaseUntil.IsZero() && l.until > r.LeaseUntil.UnixMilli()
}

// dropOwnLease frees the lease of the claim r comes from, and no newer one
// (any lease when r names none).
func (t *tx) dropOwnLease(r *store.AttemptResult) {
	if l, ok := t.leases[r.DeliveryID]; ok && (r.LeaseUntil.IsZero() || l.until == r.LeaseUntil.UnixMilli()) {
		t.dropLease(r.DeliveryID)
	}
}

// expireLeases drops the leases that ended before now: their dispatcher
// lost track of them (it could not record a result, say), and the
// deliveries are due again.
func (t *tx) expireLeases(now int64) {
	for id, l := range t.leases {
		if l.until < now {
			t.dropLease(id)
		}
	}
}

// undoLeases puts back every lease change made since the undo log was
// mark entries long.
func (t *tx) undoLeases(mark int) {
	for i := len(t.undo) - 1; i >= mark; i-- {
		u := t.undo[i]
		if u.had {
			t.leases[u.id] = u.prev
		} else {
			delete(t.leases, u.id)
		}
	}
	t.undo = t.undo[:mark]
}
