package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

func (t *tx) DeliveryGet(ctx context.Context, org, id string) (*api.Delivery, error) {
	d, err := scanDelivery(t.tx.QueryRow(ctx, `SELECT `+selectCols+`, `+heldByCol+` FROM deliveries WHERE org_id = $1 AND id = $2`, org, id), true)
	if err != nil {
		return nil, notFound(err)
	}
	d.History, err = t.attempts(ctx, id)
	return &d.Delivery, err
}

// attempts reads a delivery's attempts, oldest first.
func (t *tx) attempts(ctx context.Context, id string) ([]api.Attempt, error) {
	rows, err := t.tx.Query(ctx, `SELECT body FROM attempts WHERE delivery_id = $1 ORDER BY number`, id)
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

// where renders a filter as a WHERE clause, its arguments added to a.
func where(f store.DeliveryFilter, a *args) string {
	conds := []string{"org_id = " + a.add(f.Org)}
	if w := f.Webhook; w != nil {
		conds = append(conds, "wh_scope_kind = "+a.add(w.Scope.Kind), "wh_scope_name = "+a.add(w.Scope.Name))
		if w.Name != "" {
			conds = append(conds, "wh_name = "+a.add(w.Name))
		}
	}
	// Names hold no "/", so a webhook's key names it alone, as in claims.
	const key = "(wh_scope_kind || '/' || wh_scope_name || '/' || wh_name)"
	if len(f.ExcludeWebhooks) > 0 {
		conds = append(conds, "NOT ("+key+" = ANY("+a.add(webhookKeys(f.ExcludeWebhooks))+"))")
	}
	if len(f.OnlyWebhooks) > 0 {
		conds = append(conds, key+" = ANY("+a.add(webhookKeys(f.OnlyWebhooks))+")")
	}
	if f.Status != "" {
		conds = append(conds, "status = "+a.add(string(f.Status)))
	}
	if f.EventType != "" {
		conds = append(conds, "event_type = "+a.add(string(f.EventType)))
	}
	if f.EventID != "" {
		conds = append(conds, "event_id = "+a.add(f.EventID))
	}
	if !f.Since.IsZero() {
		conds = append(conds, "created_at >= "+a.add(f.Since.UnixMilli()))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "created_at < "+a.add(f.Until.UnixMilli()))
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// webhookKeys names webhooks as claim_candidates does: kind/scope/name.
func webhookKeys(ws []api.WebhookRef) []string {
	keys := make([]string, len(ws))
	for i, w := range ws {
		keys[i] = w.Scope.Kind + "/" + w.Scope.Name + "/" + w.Name
	}
	return keys
}

func (t *tx) DeliveryList(ctx context.Context, f store.DeliveryFilter) ([]*api.Delivery, int, error) {
	var a args
	w := where(f, &a)
	var total int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM deliveries`+w, a...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + selectCols + `, ` + heldByCol + ` FROM deliveries` + w + ` ORDER BY created_at DESC, id DESC`
	if f.PageSize > 0 {
		q += ` LIMIT ` + a.add(f.PageSize) + ` OFFSET ` + a.add((max(f.Page, 1)-1)*f.PageSize)
	}
	rows, err := t.tx.Query(ctx, q, a...)
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

// DeliveryRetry makes deliveries pending again and, unless it only counts,
// notifies Listen when it did.
func (t *tx) DeliveryRetry(ctx context.Context, f store.DeliveryFilter, ids []string, now time.Time, dryRun bool) (int, error) {
	var a args
	w := where(f, &a)
	if len(ids) > 0 {
		// A lease a claim commits while this waits for the row is not seen
		// here; then the delivery is marked due, but still leased, so no
		// claim takes it before its result is recorded.
		w += " AND id = ANY(" + a.add(ids) + ") AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.delivery_id = deliveries.id AND l.until >= " + a.add(now.UnixMilli()) + ")"
	} else {
		w += " AND status = 'failed'"
	}
	w += " AND event_seq > 0" // test sends have no event in the log to send again
	var n int
	if dryRun {
		err := t.tx.QueryRow(ctx, `SELECT count(*) FROM deliveries`+w, a...).Scan(&n)
		return n, err
	}
	at := a.add(now.UnixMilli())
	rows, err := t.tx.Query(ctx, `UPDATE deliveries SET status = 'pending', next_at = `+at+`, manual = true, updated_at = `+at+w+` RETURNING id`, a...)
	if err != nil {
		return 0, err
	}
	retried, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(retried) == 0 {
		return 0, err
	}
	t.tx.later(notify) // queued, to go with the commit
	return len(retried), nil
}

// DeliveryPurge deletes finished deliveries and their attempts in one
// statement.
func (t *tx) DeliveryPurge(ctx context.Context, f store.DeliveryFilter, dryRun bool) (int, error) {
	var a args
	w := where(f, &a) + " AND status <> 'pending'"
	var n int
	if dryRun {
		err := t.tx.QueryRow(ctx, `SELECT count(*) FROM deliveries`+w, a...).Scan(&n)
		return n, err
	}
	err := t.tx.QueryRow(ctx, `WITH purged AS (DELETE FROM deliveries`+w+` RETURNING id),
		attempts_purged AS (DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM purged))
		SELECT count(*) FROM purged`, a...).Scan(&n)
	return n, err
}

// DeliveryReleaseLeases frees every lease, including those of dispatchers
// on other replicas that are sending right now: with several replicas only
// an operator who knows every dispatcher is stopped may call it. A server
// on this store must not call it at start; expired leases free themselves.
func (t *tx) DeliveryReleaseLeases(ctx context.Context) error {
	_, err := t.tx.Exec(ctx, `UPDATE leases SET delivery_id = '', until = 0 WHERE until <> 0`)
	return err
}

// DeliveryPendingByWebhook's oldest due time passes over the deliveries an
// order key holds behind an earlier pending one (claim_candidates' rule):
// they are not due until it is done, whatever their next_at says. Each
// order key's first is never held, so the minimum is never NULL.
func (t *tx) DeliveryPendingByWebhook(ctx context.Context) ([]store.PendingCount, error) {
	rows, err := t.tx.Query(ctx, `SELECT d.wh_scope_kind, d.wh_scope_name, d.wh_name, count(*),
		min(CASE WHEN d.order_key = '' OR NOT EXISTS (SELECT 1 FROM deliveries e
			WHERE e.status = 'pending' AND e.order_key <> '' AND e.order_key = d.order_key AND e.org_id = d.org_id
			AND e.wh_scope_kind = d.wh_scope_kind AND e.wh_scope_name = d.wh_scope_name AND e.wh_name = d.wh_name
			AND e.event_seq < d.event_seq) THEN d.next_at END)
		FROM deliveries d WHERE d.status = 'pending' GROUP BY d.wh_scope_kind, d.wh_scope_name, d.wh_name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.PendingCount, error) {
		var p store.PendingCount
		var oldest int64
		err := r.Scan(&p.Webhook.Scope.Kind, &p.Webhook.Scope.Name, &p.Webhook.Name, &p.Count, &oldest)
		p.Oldest = time.UnixMilli(oldest)
		return p, err
	})
}

// WebhookHealthGet locks the row in a write transaction (SQLite's single
// writer does the same for all of them).
func (t *tx) WebhookHealthGet(ctx context.Context, org string, w api.WebhookRef) (store.WebhookHealth, error) {
	var h store.WebhookHealth
	var failing, success int64
	forUpdate := ""
	if t.write {
		forUpdate = " FOR UPDATE"
	}
	err := t.tx.QueryRow(ctx, `SELECT failing_since, last_success, last_error FROM webhook_health
		WHERE org_id = $1 AND wh_scope_kind = $2 AND wh_scope_name = $3 AND wh_name = $4`+forUpdate,
		org, w.Scope.Kind, w.Scope.Name, w.Name).Scan(&failing, &success, &h.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, nil
	}
	h.FailingSince, h.LastSuccess = fromMS(failing).Time, fromMS(success).Time
	return h, err
}

// WebhookHealthRestart is queued: it goes with the transaction's next
// statement or its commit.
func (t *tx) WebhookHealthRestart(ctx context.Context, org string, w api.WebhookRef) error {
	t.tx.later(`UPDATE webhook_health SET failing_since = 0
		WHERE org_id = $1 AND wh_scope_kind = $2 AND wh_scope_name = $3 AND wh_name = $4`,
		org, w.Scope.Kind, w.Scope.Name, w.Name)
	return nil
}

func (t *tx) DeliveryExport(ctx context.Context, org string) ([]*store.Delivery, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+selectCols+` FROM deliveries WHERE org_id = $1 ORDER BY created_at, id`, org)
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
			if _, err := t.tx.Exec(ctx, `UPDATE deliveries SET manual = true WHERE id = $1`, d.ID); err != nil {
				return err
			}
		}
		for _, a := range d.History {
			body, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if _, err := t.tx.Exec(ctx, `INSERT INTO attempts (delivery_id, number, body) VALUES ($1,$2,$3)`, d.ID, a.Number, string(body)); err != nil {
				return err
			}
		}
	}
	return nil
}
