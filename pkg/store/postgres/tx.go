package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

type tx struct {
	tx    *pipe
	write bool
	// locked holds the write locks this transaction has taken.
	locked map[string]bool
}

var _ store.Tx = (*tx)(nil)

// lock makes write transactions on one organization's resources, sequence
// and events (name "org/ORG"), or on the settings ("settings"), run one
// after another, as SQLite's single writer makes all of them. Without it,
// two requests could read the same resource and the later write would drop
// the earlier one's change, or two replicas starting together could each
// store their own org-id. The lock is taken before the transaction's first
// read of that data and held until commit or rollback; read-only
// transactions and delivery calls take none.
//
// A transaction that touched two organizations, or an organization and the
// settings, could deadlock with one touching them in the other order
// (PostgreSQL would then fail one of them); none does today.
func (t *tx) lock(ctx context.Context, name string) error {
	if !t.write || t.locked[name] {
		return nil
	}
	// Queued: it is granted before the next statement runs, which is all
	// the lock needs, without a round trip of its own.
	t.tx.later(`SELECT pg_advisory_xact_lock(hashtextextended('central.write/' || current_schema() || '/' || $1, 0))`, name)
	if t.locked == nil {
		t.locked = map[string]bool{}
	}
	t.locked[name] = true
	return nil
}

func (t *tx) lockOrg(ctx context.Context, org string) error { return t.lock(ctx, "org/"+org) }

func decodeResource(body string) (*api.ResourceInstance, error) {
	r := new(api.ResourceInstance)
	if err := json.Unmarshal([]byte(body), r); err != nil {
		return nil, err
	}
	return r, nil
}

const keyWhere = `org_id=$1 AND grp=$2 AND kind=$3 AND scope_kind=$4 AND scope_name=$5 AND name=$6`

func (t *tx) ResourceGet(ctx context.Context, k store.Key) (*api.ResourceInstance, error) {
	if err := t.lockOrg(ctx, k.Org); err != nil {
		return nil, err
	}
	var body string
	err := t.tx.QueryRow(ctx, `SELECT body FROM resources WHERE `+keyWhere,
		k.Org, k.Group, k.Kind, k.ScopeKind, k.ScopeName, k.Name).Scan(&body)
	if err != nil {
		return nil, notFound(err)
	}
	return decodeResource(body)
}

func (t *tx) ResourceList(ctx context.Context, f store.ResourceFilter) ([]*api.ResourceInstance, error) {
	if err := t.lockOrg(ctx, f.Org); err != nil {
		return nil, err
	}
	var a args
	where := []string{"org_id=" + a.add(f.Org)}
	for _, c := range []struct {
		col, val string
	}{{"grp", f.Group}, {"kind", f.Kind}, {"scope_kind", f.ScopeKind}, {"scope_name", f.ScopeName}} {
		if c.val != "" {
			where = append(where, c.col+"="+a.add(c.val))
		}
	}
	rows, err := t.tx.Query(ctx, `SELECT body FROM resources WHERE `+strings.Join(where, " AND ")+` ORDER BY created_seq`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*api.ResourceInstance
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		r, err := decodeResource(body)
		if err != nil {
			return nil, err
		}
		if f.Match == nil || f.Match(r) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// createdSeq is the sequence id a resource was created under (its first
// resourceVersion), which orders lists oldest first; read as SQLite's
// driver reads it.
func createdSeq(r *api.ResourceInstance) int64 {
	var n int64
	for _, c := range r.Metadata.ResourceVersion {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func (t *tx) ResourceCreate(ctx context.Context, org string, r *api.ResourceInstance, body []byte) error {
	if err := t.lockOrg(ctx, org); err != nil {
		return err
	}
	body, err := store.Encoded(r, body)
	if err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx,
		`INSERT INTO resources (org_id, grp, kind, scope_kind, scope_name, name, id, created_seq, body)
		 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING`,
		org, r.Group, r.Kind, r.ScopeKind(), r.ScopeName(), r.Name, r.Metadata.ID, createdSeq(r), string(body))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

func (t *tx) ResourceUpdate(ctx context.Context, org string, r *api.ResourceInstance, body []byte) error {
	if err := t.lockOrg(ctx, org); err != nil {
		return err
	}
	body, err := store.Encoded(r, body)
	if err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `UPDATE resources SET body=$7 WHERE `+keyWhere,
		org, r.Group, r.Kind, r.ScopeKind(), r.ScopeName(), r.Name, string(body))
	return expectOne(tag.RowsAffected(), err)
}

func (t *tx) ResourceDelete(ctx context.Context, k store.Key) error {
	if err := t.lockOrg(ctx, k.Org); err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `DELETE FROM resources WHERE `+keyWhere,
		k.Org, k.Group, k.Kind, k.ScopeKind, k.ScopeName, k.Name)
	return expectOne(tag.RowsAffected(), err)
}

func expectOne(n int64, err error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// SequenceNext increments the organization's counter row. Its row lock,
// held until commit, also makes sequence ids commit in order: a transaction
// that took id n+1 waited for the one holding n to end, so a reader of the
// log that has seen n+1 can never miss an n that commits late.
func (t *tx) SequenceNext(ctx context.Context, org string) (int64, error) {
	if err := t.lockOrg(ctx, org); err != nil {
		return 0, err
	}
	var v int64
	err := t.tx.QueryRow(ctx,
		`INSERT INTO sequences (org_id, value) VALUES ($1, 1)
		 ON CONFLICT (org_id) DO UPDATE SET value = sequences.value + 1 RETURNING value`, org).Scan(&v)
	return v, err
}

func (t *tx) EventAppend(ctx context.Context, org string, ev *api.Event) error {
	if err := t.lockOrg(ctx, org); err != nil {
		return err
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	var seq int64
	if ev.Metadata != nil {
		seq = ev.Metadata.SequenceID
	}
	t.tx.later(`INSERT INTO events (org_id, seq, id, body) VALUES ($1,$2,$3,$4)`, org, seq, ev.ID, string(body))
	return nil
}

func (t *tx) EventList(ctx context.Context, f store.EventFilter) ([]*api.Event, error) {
	if err := t.lockOrg(ctx, f.Org); err != nil {
		return nil, err
	}
	q := `SELECT body FROM events WHERE org_id=$1 AND seq>$2 ORDER BY seq`
	if f.Newest {
		q += ` DESC`
	}
	a := args{f.Org, f.AfterSequence}
	if f.Limit > 0 {
		q += ` LIMIT ` + a.add(f.Limit)
	}
	rows, err := t.tx.Query(ctx, q, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*api.Event
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		ev := new(api.Event)
		if err := json.Unmarshal([]byte(body), ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func (t *tx) SettingGet(ctx context.Context, key string) (string, error) {
	if err := t.lock(ctx, "settings"); err != nil {
		return "", err
	}
	var v string
	err := t.tx.QueryRow(ctx, `SELECT value FROM settings WHERE key=$1`, key).Scan(&v)
	return v, notFound(err)
}

func (t *tx) SettingPut(ctx context.Context, key, value string) error {
	if err := t.lock(ctx, "settings"); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx,
		`INSERT INTO settings (key, value) VALUES ($1,$2) ON CONFLICT (key) DO UPDATE SET value=excluded.value`, key, value)
	return err
}

// args collects query arguments and names their placeholders.
type args []any

// add appends v and returns its placeholder ($n).
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

func (t *tx) SettingList(ctx context.Context) (map[string]string, error) {
	if err := t.lock(ctx, "settings"); err != nil {
		return nil, err
	}
	rows, err := t.tx.Query(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func (t *tx) SequenceSet(ctx context.Context, org string, value int64) error {
	if err := t.lockOrg(ctx, org); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO sequences (org_id, value) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET value = greatest(sequences.value, excluded.value)`, org, value)
	return err
}
