package server

import (
	"context"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/hooks"
	"github.com/centralhq/central/pkg/metrics"
	"github.com/centralhq/central/pkg/netguard"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/sqlite"
)

// DefaultAutoDisableAfter is how long a webhook may fail without a single
// success before it is disabled.
const DefaultAutoDisableAfter = 5 * 24 * time.Hour

// wireDelivery connects the API to the dispatcher: the enqueuer joins every
// write transaction, the dispatcher sends, and the API serves tests and
// disables webhooks for the dispatcher.
func (s *Server) wireDelivery(ctx context.Context) error {
	now := s.cfg.Now
	if now == nil {
		now = time.Now
	}
	policy := dispatch.DefaultPolicy()
	if s.cfg.RetrySchedule != nil {
		policy.Schedule = s.cfg.RetrySchedule
	}
	if s.cfg.ConnectTimeout > 0 {
		policy.ConnectTimeout = s.cfg.ConnectTimeout
	}
	if s.cfg.RequestTimeout > 0 {
		policy.RequestTimeout = s.cfg.RequestTimeout
	}
	autoDisable := s.cfg.AutoDisableAfter
	if autoDisable == 0 {
		autoDisable = DefaultAutoDisableAfter
	}
	guard := netguard.Policy{AllowPrivate: loopbackOnly(s.ln.Addr()), Allow: s.cfg.AllowDestinations}
	private := "allowed: the server listens on loopback only (behind a reverse proxy on this host, use --private-destinations refuse)"
	if s.cfg.AllowPrivate != nil {
		guard.AllowPrivate, private = *s.cfg.AllowPrivate, "allowed"
	}
	if !guard.AllowPrivate {
		private = "refused"
	}
	s.log.Info("webhook destinations", "loopbackAndPrivate", private, "alsoAllowed", s.cfg.AllowDestinations)
	host, _ := os.Hostname()
	workers := s.cfg.Workers
	if workers <= 0 {
		workers = dispatch.DefaultWorkers
	}
	d := &dispatch.Dispatcher{
		Store: s.store, Sender: &dispatch.Sender{Guard: guard, Now: now}, Defaults: policy, Disabler: s.API,
		Owner: host + "/" + s.ln.Addr().String(), Workers: workers, PollInterval: s.cfg.PollInterval,
		AutoDisableAfter: max(autoDisable, 0), DrainTimeout: s.cfg.ShutdownTimeout, Logger: s.log, Now: now,
	}
	enq := &dispatch.Enqueuer{Index: hooks.NewIndex(), Org: s.API.Org, Wake: d.Wake, WebhooksChanged: d.WebhooksChanged, Logger: s.log, Now: now}
	// The embedded store has one dispatcher, whose leases live in its
	// memory (none is left by a killed process), so claims may run ahead
	// of the requests in flight: a finished request is followed at once.
	// Replicas sharing PostgreSQL each claim what they queued while they
	// have room, so the others need not look for it.
	if _, embedded := s.store.(*sqlite.Store); embedded {
		d.ClaimAhead = 4 * workers
	} else {
		enq.Room = d.Room
	}
	m := metrics.New(func(ctx context.Context) ([]store.PendingCount, error) {
		var ps []store.PendingCount
		err := s.store.View(ctx, func(tx store.Tx) error {
			var err error
			ps, err = tx.DeliveryPendingByWebhook(ctx)
			return err
		})
		return ps, err
	}, now)
	d.Observer, s.API.Observer, s.API.Extra = m, m, m.Handler()
	s.API.Sink, s.API.Deliveries = enq, d
	s.API.ValidateWebhook = func(spec *api.WebhookSpec) error { return dispatch.Validate(spec) }
	s.API.CheckURL = guard.CheckURL
	s.Dispatcher = d
	return nil
}

// loopbackOnly reports whether the server listens on a loopback address
// only: then it is a personal server, and unless configured otherwise
// webhooks may reach loopback and private addresses.
func loopbackOnly(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().IsLoopback()
}
