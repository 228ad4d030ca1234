package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnect delays for Listen: doubling from the first to the last.
const (
	listenRetryFirst = 100 * time.Millisecond
	listenRetryLast  = 5 * time.Second
)

// Listen holds one dedicated connection (not from the pool) with LISTEN
// central_deliveries and calls wake for each notification: a committed
// DeliveryInsert or DeliveryRetry on any replica. wake should only nudge
// the dispatcher (Dispatcher.Wake); it runs on Listen's goroutine.
//
// Notifications sent while no connection listens are lost, so wake is also
// called each time the LISTEN is established, the first time included.
// When the connection drops, or cannot be made, Listen reconnects after a
// short, growing delay. It tells changed (when not nil) of the first
// failure of a run, and, with a nil error, of the LISTEN holding again. It
// returns nil when ctx is done or the store is closed; connection errors
// are retried, not returned.
func (s *Store) Listen(ctx context.Context, wake func(), changed func(err error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.closed, cancel)()
	cfg := s.pool.Config().ConnConfig
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "central-listen"
	}
	delay := listenRetryFirst
	down := false
	for {
		err := listen(ctx, cfg, wake, func() {
			delay = listenRetryFirst
			if down && changed != nil {
				changed(nil)
			}
			down = false
		})
		if ctx.Err() != nil {
			return nil
		}
		if !down && changed != nil {
			changed(err)
		}
		down = true
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, listenRetryLast)
	}
}

// listen connects, listens and wakes until the connection fails or ctx is
// done. listening is called once the LISTEN holds.
func listen(ctx context.Context, cfg *pgx.ConnConfig, wake, listening func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		// ctx may be done: give the goodbye its own short deadline.
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{notifyChannel + schema}.Sanitize()); err != nil {
		return err
	}
	listening()
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
