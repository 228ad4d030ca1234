package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
)

// listener is a running Listen.
type listener struct {
	wakes    chan struct{}
	failures chan error // what Listen reported failed
	cancel   context.CancelFunc
	stopped  chan struct{} // closed when Listen returned
	err      error         // what it returned
}

// listen starts Listen and waits for its first wake, sent once the LISTEN
// holds.
func listen(t *testing.T, s *postgres.Store) *listener {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{wakes: make(chan struct{}, 100), failures: make(chan error, 100), cancel: cancel, stopped: make(chan struct{})}
	go func() {
		defer close(l.stopped)
		l.err = s.Listen(ctx, func() { l.wakes <- struct{}{} }, func(err error) { l.failures <- err })
	}()
	t.Cleanup(func() {
		cancel()
		<-l.stopped
	})
	expectWake(t, l.wakes, "when the LISTEN began")
	return l
}

// expectStop waits for Listen to return nil.
func (l *listener) expectStop(t *testing.T, after string) {
	t.Helper()
	select {
	case <-l.stopped:
		if l.err != nil {
			t.Fatalf("Listen returned %v %s, want nil", l.err, after)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Listen did not return %s", after)
	}
}

func expectWake(t *testing.T, wakes <-chan struct{}, after string) {
	t.Helper()
	select {
	case <-wakes:
	case <-time.After(10 * time.Second):
		t.Fatalf("no wake %s", after)
	}
}

func expectQuiet(t *testing.T, wakes <-chan struct{}, after string) {
	t.Helper()
	select {
	case <-wakes:
		t.Fatalf("woken %s", after)
	case <-time.After(300 * time.Millisecond):
	}
}

// insertDelivery queues one pending delivery in a transaction that commits
// or, when rollback is set, rolls back; it wakes other replicas unless
// quiet is set.
func insertDelivery(t *testing.T, s store.Store, id string, rollback bool, quiet ...bool) {
	t.Helper()
	ctx := context.Background()
	errRollback := errors.New("roll back")
	err := s.Update(ctx, func(tx store.Tx) error {
		d := &store.Delivery{Org: "org1"}
		d.ID, d.EventID, d.SequenceID, d.Status = id, "ev", 1, api.DeliveryPending
		d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = api.NewTime(t0), api.NewTime(t0), api.NewTime(t0)
		if err := tx.DeliveryInsert(ctx, []*store.Delivery{d}, len(quiet) == 0 || !quiet[0]); err != nil {
			return err
		}
		if rollback {
			return errRollback
		}
		return nil
	})
	if rollback && !errors.Is(err, errRollback) || !rollback && err != nil {
		t.Fatal(err)
	}
}

func TestListenWakesOnCommitOnly(t *testing.T) {
	s := open(t, freshSchema(t))
	l := listen(t, s)

	insertDelivery(t, s, "rolled-back", true)
	expectQuiet(t, l.wakes, "by a rolled-back insert")
	insertDelivery(t, s, "left to its replica", false, true)
	expectQuiet(t, l.wakes, "by an insert whose replica claims it itself")
	insertDelivery(t, s, "committed", false)
	expectWake(t, l.wakes, "after a committed insert")

	l.cancel()
	l.expectStop(t, "when its context ended")
}

func TestListenReconnects(t *testing.T) {
	s := open(t, freshSchema(t))
	l := listen(t, s)

	conn, err := pgx.Connect(context.Background(), baseDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var killed int
	err = conn.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'central-listen' AND pid <> pg_backend_pid()`).Scan(&killed)
	if err != nil || killed == 0 {
		t.Fatalf("terminated %d listeners: %v", killed, err)
	}
	expectWake(t, l.wakes, "when the LISTEN was taken up again")
	for _, want := range []string{"the dropped connection", "the LISTEN holding again"} {
		select {
		case err := <-l.failures:
			if (err == nil) != (want == "the LISTEN holding again") {
				t.Errorf("%s was reported with error %v", want, err)
			}
		default:
			t.Errorf("%s was not reported, so the server could not log it", want)
		}
	}
	insertDelivery(t, s, "after-reconnect", false)
	expectWake(t, l.wakes, "after a committed insert on the new connection")
}

func TestListenEndsWithTheStore(t *testing.T) {
	s, err := postgres.Open(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	l := listen(t, s)
	s.Close()
	l.expectStop(t, "when the store closed")
}
