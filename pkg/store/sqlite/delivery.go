package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

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

// claimCols are what a dispatcher needs of a claimed delivery (see
// store.Claimed): reading the rest, and decoding the resource's JSON, was
// most of the 15 % of a turn this and binding statements once per
// transaction saved (BenchmarkTurn).
const claimCols = `d.id, d.org_id, d.event_id, d.event_seq, d.wh_scope_kind, d.wh_scope_name, d.wh_name, d.attempts,
	d.last_status, d.max_in_flight, d.manual, ev.body`

func scanClaimed(sc interface{ Scan(...any) error }) (*store.Claimed, error) {
	var c store.Claimed
	var body []byte
	err := sc.Scan(&c.ID, &c.Org, &c.EventID, &c.SequenceID, &c.Webhook.Scope.Kind, &c.Webhook.Scope.Name, &c.Webhook.Name,
		&c.Attempts, &c.LastStatusCode, &c.MaxInFlight, &c.Manual, &body)
	c.Envelope = body // nil when the event is missing: an error if the delivery is picked
	c.Status = api.DeliveryPending
	return &c, err
}

// claimFrom joins the deliveries to themselves: c reads a due index alone,
// and d the rows of the candidates c lets through. SQLite seeks the row of
// a table without rowid as soon as it reads an index entry, unless the
// index covers the query, so a single scan sought the row of every leased
// delivery it passed over (BenchmarkTurn: about 5 % of a turn). CROSS JOIN
// keeps c outside, and LEFT JOIN reads each candidate's event with it: a
// missing event is a NULL body, not a delivery silently passed over.
const claimFrom = ` FROM deliveries c CROSS JOIN deliveries d ON d.id = c.id
	LEFT JOIN events ev ON ev.org_id = d.org_id AND ev.seq = d.event_seq`

// scanDelivery reads selectCols, and heldByCol after them when held is set.
func scanDelivery(sc interface{ Scan(...any) error }, held bool) (*store.Delivery, error) {
	var d store.Delivery
	var resource string
	var nextAt, created, updated int64
	dest := []any{&d.ID, &d.Org, &d.EventID, &d.SequenceID, &d.EventType, &resource,
		&d.Webhook.Scope.Kind, &d.Webhook.Scope.Name, &d.Webhook.Name, &d.OrderKey, &d.Status,
		&d.Attempts, &d.LastStatusCode, &d.LastError, &nextAt, &created, &updated, &d.MaxInFlight, &d.Manual}
	if held {
		dest = append(dest, &d.HeldBy)
	}
	err := sc.Scan(dest...)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(resource), &d.Resource); err != nil {
		return nil, err
	}
	if d.Status == api.DeliveryPending {
		d.NextAttemptAt = fromMS(nextAt)
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return &d, nil
}

var deliveryInsert = prepared(`INSERT INTO deliveries (` + deliveryCols + `) VALUES (?` + strings.Repeat(",?", 17) + `)`)

// DeliveryInsert inserts one row at a time with a prepared statement: most
// events have one or a few deliveries, and parsing a multi-row statement
// cost more than executing a prepared one again.
func (t *tx) DeliveryInsert(ctx context.Context, ds []*store.Delivery, _ bool) error {
	for _, d := range ds {
		resource, err := json.Marshal(d.Resource)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, deliveryInsert, d.ID, d.Org, d.EventID, d.SequenceID, string(d.EventType), string(resource),
			d.Webhook.Scope.Kind, d.Webhook.Scope.Name, d.Webhook.Name, d.OrderKey, string(d.Status),
			d.Attempts, d.LastStatusCode, d.LastError, ms(d.NextAttemptAt.Time), ms(d.CreatedAt.Time), ms(d.UpdatedAt.Time), d.MaxInFlight); err != nil {
			return err
		}
	}
	return nil
}

// Claims read the due indexes of pending deliveries and pass over those
// leased (in memory, lease.go: their ids are a parameter). A lease that
// ended without a result (its dispatcher could not record it) is dropped
// by the next claim, which puts the delivery back. For ordered webhooks
// only the oldest pending delivery per order key is a candidate. Lists of
// ids and webhook keys are passed as one JSON array (json_each), so that
// these statements have one text and are prepared once. (lease_until is
// always 0 since leases moved to memory; the term matches the indexes.)
//
// They have no LIMIT: SQLite plans a bound LIMIT by its value, so binding
// one made every claim compile its statement again (2 % of the drain's
// CPU). The claim stops reading instead; rows are read as stepped, in the
// due index's order, so nothing past the last one read is touched.
const (
	claimWhere = `c.status = 'pending' AND c.lease_until = 0 AND c.next_at <= ?
		AND c.id NOT IN (SELECT value FROM json_each(?))`
	claimOrder = ` AND (d.order_key = '' OR NOT EXISTS (SELECT 1 FROM deliveries e
			WHERE e.status = 'pending' AND e.order_key <> '' AND e.order_key = d.order_key AND e.org_id = d.org_id
			AND e.wh_scope_kind = d.wh_scope_kind AND e.wh_scope_name = d.wh_scope_name AND e.wh_name = d.wh_name
			AND e.event_seq < d.event_seq))
		ORDER BY c.next_at, c.event_seq`
)

var (
	claimDue = prepared(`SELECT ` + claimCols + claimFrom + ` WHERE ` + claimWhere + `
		AND (d.wh_scope_kind || '/' || d.wh_scope_name || '/' || d.wh_name) NOT IN (SELECT value FROM json_each(?))` + claimOrder)
	claimWebhookDue = prepared(`SELECT ` + claimCols + claimFrom + `
		WHERE c.org_id = ? AND c.wh_scope_kind = ? AND c.wh_scope_name = ? AND c.wh_name = ? AND ` + claimWhere + claimOrder)
)

// jsonList encodes strings as a JSON array for json_each.
func jsonList(n int, item func(int) string) string {
	l := make([]string, n)
	for i := range l {
		l[i] = item(i)
	}
	b, _ := json.Marshal(l) // strings always encode
	return string(b)
}

func (t *tx) DeliveryClaim(ctx context.Context, p store.ClaimParams) ([]*store.Claimed, error) {
	now := p.Now.UnixMilli()
	t.expireLeases(now)
	// The single writer serializes claims, so the leases stay as they are
	// until this claim commits.
	leased := map[string]int{}
	ids := make([]string, 0, len(t.leases))
	for id, l := range t.leases {
		leased[l.webhook]++
		ids = append(ids, id)
	}
	inFlight := jsonList(len(ids), func(i int) string { return ids[i] })
	var rows *sql.Rows
	var err error
	if w := p.Only; w != nil {
		rows, err = t.query(ctx, claimWebhookDue, p.OnlyOrg, w.Scope.Kind, w.Scope.Name, w.Name, now, inFlight)
	} else {
		exclude := jsonList(len(p.Exclude), func(i int) string { return webhookKey(p.Exclude[i]) })
		rows, err = t.query(ctx, claimDue, now, inFlight, exclude)
	}
	if err != nil {
		return nil, err
	}
	// Candidates are read in due order until Limit are accepted; scan
	// bounds how many vetoed ones one claim looks at.
	var picked []*store.Claimed
	for scan := p.Limit*4 + 16; len(picked) < p.Limit && scan > 0 && rows.Next(); scan-- {
		c, err := scanClaimed(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if p.Accept == nil || p.Accept(&c.Delivery, leased[webhookKey(c.Webhook)]) {
			if c.Envelope == nil {
				rows.Close()
				return nil, fmt.Errorf("delivery %s: event %d is not in the log", c.ID, c.SequenceID)
			}
			picked = append(picked, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(picked) == 0 {
		return nil, err
	}
	until := p.Now.Add(p.Lease)
	for _, c := range picked {
		c.LeaseUntil = until
		t.setLease(c.ID, lease{owner: p.Owner, until: until.UnixMilli(), webhook: webhookKey(c.Webhook)})
	}
	return picked, nil
}

// webhookKey is how claims name a webhook in Exclude.
func webhookKey(w api.WebhookRef) string {
	return w.Scope.Kind + "/" + w.Scope.Name + "/" + w.Name
}

var (
	attemptPut = prepared(`INSERT INTO attempts (delivery_id, number, body) VALUES (?,?,?)
		ON CONFLICT DO UPDATE SET body = excluded.body`)
	// deliveryFinish moves a delivery on unless it already counts the
	// attempt: a claim's attempt number is one past the count it read, so
	// a counted number means a later claim has finished first. A result
	// without a lease (a test send, the last ? = 1) is always recorded.
	// The attempt is written only when a row was updated: a delivery
	// purged meanwhile would leave it orphaned.
	deliveryFinish = prepared(`UPDATE deliveries SET status = ?, attempts = max(attempts, ?), last_status = ?,
		last_error = ?, next_at = ?, manual = 0, updated_at = ? WHERE id = ? AND (? OR attempts < ?)`)
	healthSuccess = prepared(`INSERT INTO webhook_health (org_id, wh_scope_kind, wh_scope_name, wh_name, last_success)
		VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE SET failing_since = 0, last_success = excluded.last_success`)
	healthFailure = prepared(`INSERT INTO webhook_health (org_id, wh_scope_kind, wh_scope_name, wh_name, failing_since, last_error)
		VALUES (?,?,?,?,?,?) ON CONFLICT DO UPDATE SET last_error = excluded.last_error,
		failing_since = CASE WHEN failing_since = 0 THEN excluded.failing_since ELSE failing_since END`)
	healthRestart = prepared(`UPDATE webhook_health SET failing_since = 0
		WHERE org_id = ? AND wh_scope_kind = ? AND wh_scope_name = ? AND wh_name = ?`)
	healthGet = prepared(`SELECT failing_since, last_success, last_error FROM webhook_health
		WHERE org_id = ? AND wh_scope_kind = ? AND wh_scope_name = ? AND wh_name = ?`)
	deliveryGet = prepared(`SELECT ` + selectCols + `, ` + heldByCol + ` FROM deliveries WHERE org_id = ? AND id = ?`)
	attemptsGet = prepared(`SELECT body FROM attempts WHERE delivery_id = ? ORDER BY number`)
	attemptAdd  = prepared(`INSERT INTO attempts (delivery_id, number, body) VALUES (?,?,?)`)
	markManual  = prepared(`UPDATE deliveries SET manual = 1 WHERE id = ?`)
	// pendingCount's oldest due time passes over the deliveries an order
	// key holds behind an earlier pending one (claimOrder's rule): they
	// are not due until it is done, whatever their next_at says. Each
	// order key's first is never held, so the minimum is never NULL.
	pendingCount = prepared(`SELECT d.wh_scope_kind, d.wh_scope_name, d.wh_name, count(*),
		min(CASE WHEN d.order_key = '' OR NOT EXISTS (SELECT 1 FROM deliveries e
			WHERE e.status = 'pending' AND e.order_key <> '' AND e.order_key = d.order_key AND e.org_id = d.org_id
			AND e.wh_scope_kind = d.wh_scope_kind AND e.wh_scope_name = d.wh_scope_name AND e.wh_name = d.wh_name
			AND e.event_seq < d.event_seq) THEN d.next_at END)
		FROM deliveries d WHERE d.status = 'pending' GROUP BY d.wh_scope_kind, d.wh_scope_name, d.wh_name`)
	deliveryDump = prepared(`SELECT ` + selectCols + ` FROM deliveries WHERE org_id = ? ORDER BY created_at, id`)
)

func (t *tx) DeliveryFinish(ctx context.Context, rs []store.AttemptResult) error {
	health := map[healthKey]*healthChange{}
	var order []healthKey
	for _, r := range rs {
		at := ms(r.Attempt.StartedAt.Time)
		if !t.superseded(&r) {
			res, err := t.exec(ctx, deliveryFinish, string(r.Status), r.Attempt.Number, r.LastStatusCode(), r.Attempt.Error,
				ms(r.NextAttemptAt), at, r.DeliveryID, r.LeaseUntil.IsZero(), r.Attempt.Number)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				if _, err := t.exec(ctx, attemptPut, r.DeliveryID, r.Attempt.Number, string(r.Attempt.AppendJSON(nil))); err != nil {
					return err
				}
			}
		}
		t.dropOwnLease(&r)
		if !r.CountsTowardsHealth() {
			continue
		}
		k := healthKey{r.Org, r.Webhook}
		h := health[k]
		if h == nil {
			h = &healthChange{}
			health[k], order = h, append(order, k)
		}
		h.add(at, r.Attempt.ErrorClass == "", r.Attempt.Error)
	}
	for _, k := range order { // at most three statements per webhook, whatever the batch
		h, w := health[k], k.w
		put := func(s stmt, more ...any) error {
			_, err := t.exec(ctx, s, append([]any{k.org, w.Scope.Kind, w.Scope.Name, w.Name}, more...)...)
			return err
		}
		var err error
		if h.errBefore != "" {
			err = put(healthFailure, h.beforeAt, h.errBefore)
		}
		if err == nil && h.success != 0 {
			err = put(healthSuccess, h.success)
		}
		if err == nil && h.failedSince != 0 {
			err = put(healthFailure, h.failedSince, h.lastError)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type healthKey struct {
	org string
	w   api.WebhookRef
}

// healthChange sums up a batch's attempts to one webhook, in the order
// they came, into the writes that leave its health row as recording them
// one by one would: the failures before the last success (only the last
// error of them remains), the last success, and the failures after it
// (when the first came, and the last error).
type healthChange struct {
	beforeAt             int64
	errBefore            string
	success, failedSince int64
	lastError            string
}

func (h *healthChange) add(at int64, ok bool, err string) {
	if ok {
		if h.failedSince != 0 {
			h.beforeAt, h.errBefore = h.failedSince, h.lastError
		}
		h.success, h.failedSince, h.lastError = at, 0, ""
		return
	}
	if h.failedSince == 0 {
		h.failedSince = at
	}
	h.lastError = err
}

func (t *tx) DeliveryGet(ctx context.Context, org, id string) (*api.Delivery, error) {
	d, err := scanDelivery(t.queryRow(ctx, deliveryGet, org, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	d.History, err = t.attempts(ctx, id)
	return &d.Delivery, err
}

// attempts reads a delivery's attempts, oldest first.
func (t *tx) attempts(ctx context.Context, id string) ([]api.Attempt, error) {
	rows, err := t.query(ctx, attemptsGet, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Attempt{}
	for rows.Next() {
		var body string
		var a api.Attempt
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// where renders a filter as a WHERE clause.
func where(f store.DeliveryFilter) (string, []any) {
	conds := []string{"org_id = ?"}
	args := []any{f.Org}
	if w := f.Webhook; w != nil {
		conds = append(conds, "wh_scope_kind = ?", "wh_scope_name = ?")
		args = append(args, w.Scope.Kind, w.Scope.Name)
		if w.Name != "" {
			conds = append(conds, "wh_name = ?")
			args = append(args, w.Name)
		}
	}
	// Names hold no "/", so a webhook's key names it alone (webhookKey).
	const key = "(wh_scope_kind || '/' || wh_scope_name || '/' || wh_name)"
	if len(f.ExcludeWebhooks) > 0 {
		conds = append(conds, key+" NOT IN (SELECT value FROM json_each(?))")
		args = append(args, jsonList(len(f.ExcludeWebhooks), func(i int) string { return webhookKey(f.ExcludeWebhooks[i]) }))
	}
	if len(f.OnlyWebhooks) > 0 {
		conds = append(conds, key+" IN (SELECT value FROM json_each(?))")
		args = append(args, jsonList(len(f.OnlyWebhooks), func(i int) string { return webhookKey(f.OnlyWebhooks[i]) }))
	}
	if f.Status != "" {
		conds = append(conds, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.EventType != "" {
		conds = append(conds, "event_type = ?")
		args = append(args, string(f.EventType))
	}
	if f.EventID != "" {
		conds = append(conds, "event_id = ?")
		args = append(args, f.EventID)
	}
	if !f.Since.IsZero() {
		conds = append(conds, "created_at >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		conds = append(conds, "created_at < ?")
		args = append(args, f.Until.UnixMilli())
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (t *tx) DeliveryList(ctx context.Context, f store.DeliveryFilter) ([]*api.Delivery, int, error) {
	w, args := where(f)
	var total int
	if err := t.tx.QueryRowContext(t.ctx(ctx), `SELECT count(*) FROM deliveries`+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + selectCols + `, ` + heldByCol + ` FROM deliveries` + w + ` ORDER BY created_at DESC, id DESC`
	if f.PageSize > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.PageSize, (max(f.Page, 1)-1)*f.PageSize)
	}
	rows, err := t.tx.QueryContext(t.ctx(ctx), q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*api.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows, true)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, &d.Delivery)
	}
	return out, total, rows.Err()
}

func (t *tx) DeliveryRetry(ctx context.Context, f store.DeliveryFilter, ids []string, now time.Time, dryRun bool) (int, error) {
	w, args := where(f)
	if len(ids) > 0 {
		idle := ids[:0:0]
		for _, id := range ids {
			if l, ok := t.leases[id]; !ok || l.until < now.UnixMilli() {
				idle = append(idle, id)
			}
		}
		if len(idle) == 0 {
			return 0, nil
		}
		w += " AND id IN (?" + strings.Repeat(",?", len(idle)-1) + ")"
		for _, id := range idle {
			args = append(args, id)
		}
	} else {
		w += " AND status = 'failed'"
	}
	w += " AND event_seq > 0" // test sends have no event in the log to send again
	if dryRun {
		var n int
		err := t.tx.QueryRowContext(t.ctx(ctx), `SELECT count(*) FROM deliveries`+w, args...).Scan(&n)
		return n, err
	}
	res, err := t.tx.ExecContext(t.ctx(ctx), `UPDATE deliveries SET status = 'pending', next_at = ?, manual = 1, updated_at = ?`+w,
		append([]any{now.UnixMilli(), now.UnixMilli()}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *tx) DeliveryPurge(ctx context.Context, f store.DeliveryFilter, dryRun bool) (int, error) {
	w, args := where(f)
	w += " AND status <> 'pending'"
	if dryRun {
		var n int
		err := t.tx.QueryRowContext(t.ctx(ctx), `SELECT count(*) FROM deliveries`+w, args...).Scan(&n)
		return n, err
	}
	if _, err := t.tx.ExecContext(t.ctx(ctx), `DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries`+w+`)`, args...); err != nil {
		return 0, err
	}
	res, err := t.tx.ExecContext(t.ctx(ctx), `DELETE FROM deliveries`+w, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *tx) DeliveryReleaseLeases(ctx context.Context) error {
	for id := range t.leases {
		t.dropLease(id)
	}
	return nil
}

func (t *tx) DeliveryPendingByWebhook(ctx context.Context) ([]store.PendingCount, error) {
	rows, err := t.query(ctx, pendingCount)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PendingCount
	for rows.Next() {
		var p store.PendingCount
		var oldest int64
		if err := rows.Scan(&p.Webhook.Scope.Kind, &p.Webhook.Scope.Name, &p.Webhook.Name, &p.Count, &oldest); err != nil {
			return nil, err
		}
		p.Oldest = time.UnixMilli(oldest)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *tx) WebhookHealthGet(ctx context.Context, org string, w api.WebhookRef) (store.WebhookHealth, error) {
	var h store.WebhookHealth
	var failing, success int64
	err := t.queryRow(ctx, healthGet, org, w.Scope.Kind, w.Scope.Name, w.Name).Scan(&failing, &success, &h.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	h.FailingSince, h.LastSuccess = fromMS(failing).Time, fromMS(success).Time
	return h, err
}

func (t *tx) WebhookHealthRestart(ctx context.Context, org string, w api.WebhookRef) error {
	_, err := t.exec(ctx, healthRestart, org, w.Scope.Kind, w.Scope.Name, w.Name)
	return err
}

func (t *tx) DeliveryExport(ctx context.Context, org string) ([]*store.Delivery, error) {
	rows, err := t.query(ctx, deliveryDump, org)
	if err != nil {
		return nil, err
	}
	var out []*store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows, false)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range out {
		if d.History, err = t.attempts(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *tx) DeliveryImport(ctx context.Context, ds []*store.Delivery) error {
	if err := t.DeliveryInsert(ctx, ds, true); err != nil {
		return err
	}
	for _, d := range ds {
		if d.Manual {
			if _, err := t.exec(ctx, markManual, d.ID); err != nil {
				return err
			}
		}
		for _, a := range d.History {
			body, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, attemptAdd, d.ID, a.Number, string(body)); err != nil {
				return err
			}
		}
	}
	return nil
}
