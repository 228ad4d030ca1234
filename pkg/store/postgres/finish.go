package postgres

import (
	"context"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// finishBatch writes a batch of results in one statement. Its parts write
// different tables from arrays of their own: they run on one snapshot, and
// none needs to see what another wrote, but for the attempts, which are
// inserted only for the deliveries the update found (a purged one has no
// row left to hang them on).
//
// ON CONFLICT DO UPDATE may not touch a row twice in one statement, so the
// arrays hold one row per attempt, per delivery and per webhook: DeliveryFinish
// folds the results in order first, as SQLite's driver applies them one by
// one. The health upsert takes each webhook's flags (was there a success, a
// failure) from the health rows by key, since excluded holds only columns.
// Rows are inserted in key order so that replicas finishing at once lock
// them in the same order.
//
// A result is recorded only for a delivery that exists and, when it names
// its lease, only while no later lease of the delivery exists and the
// delivery does not count its attempt yet (the others are superseded:
// store.AttemptResult.LeaseUntil; the count is in the row the update
// reads anyway, where a look into attempts cost a tenth of the
// replicas' throughput). It frees only its own lease row; a lease_until
// of 0 (a test send) frees any.
const finishBatch = `WITH result AS (
		SELECT * FROM unnest($4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::bigint[], $10::bigint[], $20::bigint[])
			AS r(id, status, attempts, last_status, last_error, next_at, updated_at, lease_until)
	), fresh AS (
		SELECT * FROM result r WHERE r.lease_until = 0
			OR NOT EXISTS (SELECT 1 FROM leases l WHERE l.delivery_id = r.id AND l.until > r.lease_until)
	), delivery AS (
		UPDATE deliveries d SET status = r.status, attempts = greatest(d.attempts, r.attempts), last_status = r.last_status,
			last_error = r.last_error, next_at = r.next_at, manual = false, updated_at = r.updated_at
		FROM fresh r WHERE d.id = r.id AND (r.lease_until = 0 OR d.attempts < r.attempts)
		RETURNING d.id
	), attempt AS (
		INSERT INTO attempts (delivery_id, number, body)
		SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) AS a(delivery_id, number, body)
		WHERE a.delivery_id IN (SELECT id FROM delivery) ORDER BY 1, 2
		ON CONFLICT (delivery_id, number) DO UPDATE SET body = excluded.body
	), unleased AS (
		UPDATE leases l SET delivery_id = '', until = 0 FROM result r
		WHERE l.delivery_id = r.id AND (l.until = r.lease_until OR r.lease_until = 0)
	), health AS (
		SELECT * FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::bool[], $19::bool[])
			AS h(org_id, wh_scope_kind, wh_scope_name, wh_name, failing_since, last_success, last_error, succeeded, failed)
	), health_upsert AS (
		INSERT INTO webhook_health AS w (org_id, wh_scope_kind, wh_scope_name, wh_name, failing_since, last_success, last_error)
		SELECT org_id, wh_scope_kind, wh_scope_name, wh_name, failing_since, last_success, last_error FROM health ORDER BY 1, 2, 3, 4
		ON CONFLICT (org_id, wh_scope_kind, wh_scope_name, wh_name) DO UPDATE SET (failing_since, last_success, last_error) = (
			SELECT CASE WHEN h.succeeded OR w.failing_since = 0 THEN excluded.failing_since ELSE w.failing_since END,
				CASE WHEN h.succeeded THEN excluded.last_success ELSE w.last_success END,
				CASE WHEN h.failed THEN excluded.last_error ELSE w.last_error END
			FROM health h WHERE (h.org_id, h.wh_scope_kind, h.wh_scope_name, h.wh_name) =
				(excluded.org_id, excluded.wh_scope_kind, excluded.wh_scope_name, excluded.wh_name))
	)
	SELECT`

type attemptKey struct {
	delivery string
	number   int
}

// attemptRow is one row of attempts to write.
type attemptRow struct {
	attemptKey
	body string
}

// deliveryRow is what a batch leaves of one delivery.
type deliveryRow struct {
	id, status, lastError       string
	attempts, lastStatus        int
	nextAt, updated, leaseUntil int64
}

type healthKey struct {
	org string
	api.WebhookRef
}

// healthFold is what a batch's results did to one webhook's health.
type healthFold struct {
	healthKey
	// failingFrom is when the batch's last run of failures began: after
	// its last success, or from its first failure when none succeeded.
	// Zero when the batch ends in a success.
	failingFrom, lastSuccess int64
	lastError                string
	succeeded, failed        bool
}

func (h *healthFold) add(r *store.AttemptResult) {
	at := ms(r.Attempt.StartedAt.Time)
	if r.Attempt.ErrorClass == "" {
		h.succeeded, h.lastSuccess, h.failingFrom = true, at, 0
		return
	}
	h.failed, h.lastError = true, pgText(r.Attempt.Error)
	if h.failingFrom == 0 {
		h.failingFrom = at
	}
}

// DeliveryFinish records a batch of results in one statement, queued to go
// with the transaction's next one.
func (t *tx) DeliveryFinish(ctx context.Context, rs []store.AttemptResult) error {
	if len(rs) == 0 {
		return nil
	}
	var attempts []*attemptRow
	var deliveries []*deliveryRow
	var health []*healthFold
	attemptAt := map[attemptKey]*attemptRow{}
	deliveryAt := map[string]*deliveryRow{}
	healthAt := map[healthKey]*healthFold{}
	// A delivery claimed again while a batch waited has results of two
	// claims in it: those of the earlier one are superseded.
	latest := map[string]time.Time{}
	for i := range rs {
		if l := rs[i].LeaseUntil; l.After(latest[rs[i].DeliveryID]) {
			latest[rs[i].DeliveryID] = l
		}
	}
	for i := range rs {
		r := &rs[i]
		if r.LeaseUntil.Before(latest[r.DeliveryID]) {
			continue
		}
		body := string(r.Attempt.AppendJSON(nil))
		ak := attemptKey{r.DeliveryID, r.Attempt.Number}
		if a := attemptAt[ak]; a != nil {
			a.body = body
		} else {
			attemptAt[ak] = &attemptRow{ak, body}
			attempts = append(attempts, attemptAt[ak])
		}
		d := deliveryAt[r.DeliveryID]
		if d == nil {
			d = &deliveryRow{id: r.DeliveryID}
			deliveryAt[r.DeliveryID] = d
			deliveries = append(deliveries, d)
		}
		d.status, d.lastStatus, d.lastError = string(r.Status), r.LastStatusCode(), pgText(r.Attempt.Error)
		d.attempts = max(d.attempts, r.Attempt.Number)
		d.nextAt, d.updated = ms(r.NextAttemptAt), ms(r.Attempt.StartedAt.Time)
		if !r.LeaseUntil.IsZero() {
			d.leaseUntil = r.LeaseUntil.UnixMilli()
		}
		if !r.CountsTowardsHealth() {
			continue
		}
		hk := healthKey{r.Org, r.Webhook}
		h := healthAt[hk]
		if h == nil {
			h = &healthFold{healthKey: hk}
			healthAt[hk] = h
			health = append(health, h)
		}
		h.add(r)
	}
	// Queued: it goes with the turn's claim, or with its commit.
	t.tx.later(finishBatch,
		column(attempts, func(a *attemptRow) string { return a.delivery }),
		column(attempts, func(a *attemptRow) int { return a.number }),
		column(attempts, func(a *attemptRow) string { return a.body }),
		column(deliveries, func(d *deliveryRow) string { return d.id }),
		column(deliveries, func(d *deliveryRow) string { return d.status }),
		column(deliveries, func(d *deliveryRow) int { return d.attempts }),
		column(deliveries, func(d *deliveryRow) int { return d.lastStatus }),
		column(deliveries, func(d *deliveryRow) string { return d.lastError }),
		column(deliveries, func(d *deliveryRow) int64 { return d.nextAt }),
		column(deliveries, func(d *deliveryRow) int64 { return d.updated }),
		column(health, func(h *healthFold) string { return h.org }),
		column(health, func(h *healthFold) string { return h.Scope.Kind }),
		column(health, func(h *healthFold) string { return h.Scope.Name }),
		column(health, func(h *healthFold) string { return h.Name }),
		column(health, func(h *healthFold) int64 { return h.failingFrom }),
		column(health, func(h *healthFold) int64 { return h.lastSuccess }),
		column(health, func(h *healthFold) string { return h.lastError }),
		column(health, func(h *healthFold) bool { return h.succeeded }),
		column(health, func(h *healthFold) bool { return h.failed }),
		column(deliveries, func(d *deliveryRow) int64 { return d.leaseUntil }))
	return nil
}
