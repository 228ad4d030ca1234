package postgres

// The dispatcher's statements, batched so that one delivered event costs at
// most 4 statements whatever the batch sizes (BEGIN and COMMIT aside):
//
//	DeliveryInsert   1 per call (the Enqueuer makes one per event): every
//	                 delivery of the event, and the NOTIFY
//	DeliveryClaim    2 per claim: take the claims lock and pick and lock
//	                 candidates, with their events (claim_candidates);
//	                 lease them (1 when nothing is due)
//	DeliveryFinish   1 per batch of results: attempts, deliveries and health
//
// With batches of one that is 1 + 2 + 1; larger batches share the claim
// and the finish.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
	"github.com/jackc/pgx/v5"
)

// notifyChannel is the prefix of the channel Listen waits on, one per
// schema (notifications are database-wide, and stores in other schemas of
// the same database must not wake this one); a notification means "new
// deliveries may be due".
const notifyChannel = "central_deliveries/"

// notify queues a notification on this schema's channel; PostgreSQL
// delivers it at commit and drops it on rollback.
const notify = `SELECT pg_notify('` + notifyChannel + `' || current_schema(), '')`

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) api.Time {
	if v == 0 {
		return api.Time{}
	}
	return api.NewTime(time.UnixMilli(v))
}

// pgText makes s storable in a text column, which takes neither NUL nor
// invalid UTF-8 (SQLite keeps any bytes). Error messages that quote what a
// receiver sent may hold either, and must not fail a whole batch.
func pgText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

const deliveryCols = `id, org_id, event_id, event_seq, event_type, resource, wh_scope_kind, wh_scope_name, wh_name,
	order_key, status, attempts, last_status, last_error, next_at, created_at, updated_at, max_in_flight`

// selectCols are deliveryCols plus what only reads need.
const selectCols = deliveryCols + `, manual`

// heldByCol names, for a pending delivery of an order key, the first
// pending delivery of its key when that is an earlier one: it waits behind
// it (the claims' rule), whatever its next_at says. Empty otherwise. The
// subquery repeats the condition of the partial index deliveries_order (a
// non-empty order key) so that the planner may read that index, not the
// webhook's whole history.
const heldByCol = `COALESCE(CASE WHEN deliveries.status = 'pending' AND deliveries.order_key <> '' THEN
	(SELECT e.id FROM deliveries e WHERE e.status = 'pending' AND e.order_key <> '' AND e.order_key = deliveries.order_key
		AND e.org_id = deliveries.org_id AND e.wh_scope_kind = deliveries.wh_scope_kind
		AND e.wh_scope_name = deliveries.wh_scope_name AND e.wh_name = deliveries.wh_name
		AND e.event_seq < deliveries.event_seq ORDER BY e.event_seq LIMIT 1) END, '')`

// scanDelivery reads selectCols, and heldByCol after them when held is set.
func scanDelivery(sc interface{ Scan(...any) error }, held bool) (*store.Delivery, error) {
	var d store.Delivery
	var eventType, resource, status string
	var nextAt, created, updated int64
	dest := []any{&d.ID, &d.Org, &d.EventID, &d.SequenceID, &eventType, &resource,
		&d.Webhook.Scope.Kind, &d.Webhook.Scope.Name, &d.Webhook.Name, &d.OrderKey, &status,
		&d.Attempts, &d.LastStatusCode, &d.LastError, &nextAt, &created, &updated, &d.MaxInFlight, &d.Manual}
	if held {
		dest = append(dest, &d.HeldBy)
	}
	err := sc.Scan(dest...)
	if err != nil {
		return nil, err
	}
	d.EventType, d.Status = api.EventType(eventType), api.DeliveryStatus(status)
	if err := json.Unmarshal([]byte(resource), &d.Resource); err != nil {
		return nil, err
	}
	if d.Status == api.DeliveryPending {
		d.NextAttemptAt = fromMS(nextAt)
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return &d, nil
}

// insertDeliveries inserts one row per element of 18 arrays, one per column.
const insertDeliveries = `INSERT INTO deliveries (` + deliveryCols + `)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
		$9::text[], $10::text[], $11::text[], $12::int[], $13::int[], $14::text[], $15::bigint[], $16::bigint[], $17::bigint[],
		$18::int[])`

// column returns one field of every row, as an array argument for unnest.
func column[R, T any](rows []R, field func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = field(r)
	}
	return out
}

// DeliveryInsert inserts every delivery in one statement, queued to go with
// the transaction's next one (its commit, on the API's path). When one of them
// is pending and wakeOthers is set, the same statement notifies Listen,
// which PostgreSQL delivers at commit and drops on rollback.
func (t *tx) DeliveryInsert(ctx context.Context, ds []*store.Delivery, wakeOthers bool) error {
	if len(ds) == 0 {
		return nil
	}
	resources := make(map[*store.Delivery]string, len(ds))
	pending := false
	for _, d := range ds {
		b, err := json.Marshal(d.Resource)
		if err != nil {
			return err
		}
		resources[d] = string(b)
		pending = pending || d.Status == api.DeliveryPending
	}
	q := insertDeliveries
	if pending && wakeOthers {
		q = `WITH inserted AS (` + insertDeliveries + `) ` + notify
	}
	t.tx.later(q,
		column(ds, func(d *store.Delivery) string { return d.ID }),
		column(ds, func(d *store.Delivery) string { return d.Org }),
		column(ds, func(d *store.Delivery) string { return d.EventID }),
		column(ds, func(d *store.Delivery) int64 { return d.SequenceID }),
		column(ds, func(d *store.Delivery) string { return string(d.EventType) }),
		column(ds, func(d *store.Delivery) string { return resources[d] }),
		column(ds, func(d *store.Delivery) string { return d.Webhook.Scope.Kind }),
		column(ds, func(d *store.Delivery) string { return d.Webhook.Scope.Name }),
		column(ds, func(d *store.Delivery) string { return d.Webhook.Name }),
		column(ds, func(d *store.Delivery) string { return d.OrderKey }),
		column(ds, func(d *store.Delivery) string { return string(d.Status) }),
		column(ds, func(d *store.Delivery) int { return d.Attempts }),
		column(ds, func(d *store.Delivery) int { return d.LastStatusCode }),
		column(ds, func(d *store.Delivery) string { return pgText(d.LastError) }),
		column(ds, func(d *store.Delivery) int64 { return ms(d.NextAttemptAt.Time) }),
		column(ds, func(d *store.Delivery) int64 { return ms(d.CreatedAt.Time) }),
		column(ds, func(d *store.Delivery) int64 { return ms(d.UpdatedAt.Time) }),
		column(ds, func(d *store.Delivery) int32 { return int32(d.MaxInFlight) }))
	return nil
}

// The candidates of a claim, read by claim_candidates (migration 008),
// which takes the claims lock first and reads under a snapshot taken once
// it is granted: one statement. claimDue reads every webhook's but the
// saturated ones; claimWebhookDue one webhook's, through its own index.
const (
	claimDue        = `SELECT * FROM claim_candidates($1, $2, $3, NULL, NULL, NULL, NULL)`
	claimWebhookDue = `SELECT * FROM claim_candidates($1, $2, NULL, $3, $4, $5, $6)`
)

// lease leases the picked deliveries: it fills free rows of leases (ended
// or expired before $8, the claim's now) in slot order, and adds a row for
// each delivery left over. Free rows are locked with SKIP LOCKED: a row
// that a late finish is emptying (it still named a delivery whose lease
// had expired) is passed over, not waited for. That finish may be waiting
// for the claims lock this claim holds, and waiting for it in turn would
// deadlock.
const lease = `WITH picked AS (
		SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
			WITH ORDINALITY AS p(delivery_id, org_id, wh_scope_kind, wh_scope_name, wh_name, i)
	), free AS (
		SELECT slot, row_number() OVER (ORDER BY slot) AS i FROM (
			SELECT slot FROM leases WHERE until < $8 ORDER BY slot LIMIT cardinality($3::text[]) FOR UPDATE SKIP LOCKED) f
	), filled AS (
		UPDATE leases l SET delivery_id = p.delivery_id, org_id = p.org_id, wh_scope_kind = p.wh_scope_kind,
			wh_scope_name = p.wh_scope_name, wh_name = p.wh_name, owner = $1, until = $2
		FROM free f JOIN picked p USING (i) WHERE l.slot = f.slot
		RETURNING p.i
	)
	INSERT INTO leases (delivery_id, org_id, wh_scope_kind, wh_scope_name, wh_name, owner, until)
	SELECT delivery_id, org_id, wh_scope_kind, wh_scope_name, wh_name, $1, $2 FROM picked
	WHERE i NOT IN (SELECT i FROM filled)`

// DeliveryClaim over all webhooks locks more candidates than it may take,
// as the SQLite store reads more, so that the Accept veto can pass over
// some. The vetoed ones stay as they were, but locked until this
// transaction ends: another replica claiming in that moment skips them.
func (t *tx) DeliveryClaim(ctx context.Context, p store.ClaimParams) ([]*store.Claimed, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	now := p.Now.UnixMilli()
	b := &pgx.Batch{}
	if w := p.Only; w != nil {
		// One webhook's candidates are vetoed only once it is at its
		// limit, when more would be vetoed too: lock no more than asked.
		b.Queue(claimWebhookDue, now, p.Limit, p.OnlyOrg, w.Scope.Kind, w.Scope.Name, w.Name)
	} else {
		b.Queue(claimDue, now, p.Limit*4+16, webhookKeys(p.Exclude))
	}
	// Claims run one at a time across replicas (claim_candidates takes the
	// lock), so each sees every lease committed before it and the leased
	// counts stay true until it commits: limits hold for all replicas
	// together. The candidates come back in the round trip that sends the
	// results queued before them.
	br := t.tx.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	var picked []*store.Claimed
	for len(picked) < p.Limit && rows.Next() {
		var leased int
		var body *string
		d, err := scanDelivery(withLeased{rows, &leased, &body}, false)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if p.Accept != nil && !p.Accept(d, leased) {
			continue
		}
		if body == nil {
			rows.Close()
			return nil, fmt.Errorf("delivery %s: event %d is not in the log", d.ID, d.SequenceID)
		}
		picked = append(picked, &store.Claimed{Delivery: *d, Envelope: json.RawMessage(*body)})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(picked) == 0 {
		return nil, err
	}
	if err := br.Close(); err != nil {
		return nil, err
	}
	// The lease is queued: the rows stay locked until the transaction
	// ends, so it is sent with the next statement or the commit, and the
	// claims lock is held for one round trip less.
	until := p.Now.Add(p.Lease)
	for _, c := range picked {
		c.LeaseUntil = until
	}
	t.tx.later(lease, p.Owner, until.UnixMilli(),
		column(picked, func(c *store.Claimed) string { return c.ID }),
		column(picked, func(c *store.Claimed) string { return c.Org }),
		column(picked, func(c *store.Claimed) string { return c.Webhook.Scope.Kind }),
		column(picked, func(c *store.Claimed) string { return c.Webhook.Scope.Name }),
		column(picked, func(c *store.Claimed) string { return c.Webhook.Name }),
		now)
	return picked, nil
}

// withLeased scans a candidate row: the delivery's columns, then its
// webhook's leased count and its event.
type withLeased struct {
	rows   interface{ Scan(...any) error }
	leased *int
	body   **string
}

func (w withLeased) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.leased, w.body)...) }
