package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

type tx struct {
	tx    *sql.Tx
	stmts []*sql.Stmt
	// bound holds stmts as bound to tx, each made on its first use (a
	// turn runs the same few statements dozens of times).
	bound []*sql.Stmt
	// detached: statements ignore the caller's context (write
	// transactions, see commit.go).
	detached bool
	// leases and undo: the store's leases, in a write transaction (lease.go).
	leases leases
	undo   []leaseUndo
}

// ctx is the context a statement runs under.
func (t *tx) ctx(c context.Context) context.Context {
	if t.detached {
		return context.Background()
	}
	return c
}

var _ store.Tx = (*tx)(nil)

func decodeResource(body string) (*api.ResourceInstance, error) {
	r := new(api.ResourceInstance)
	if err := json.Unmarshal([]byte(body), r); err != nil {
		return nil, err
	}
	return r, nil
}

var (
	resourceGet = prepared(`SELECT body FROM resources
		WHERE org_id=? AND grp=? AND kind=? AND scope_kind=? AND scope_name=? AND name=?`)
	resourceCreate = prepared(`INSERT INTO resources (org_id, grp, kind, scope_kind, scope_name, name, id, created_seq, body)
		VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`)
	resourceUpdate = prepared(`UPDATE resources SET body=?
		WHERE org_id=? AND grp=? AND kind=? AND scope_kind=? AND scope_name=? AND name=?`)
	resourceDelete = prepared(`DELETE FROM resources
		WHERE org_id=? AND grp=? AND kind=? AND scope_kind=? AND scope_name=? AND name=?`)
	sequenceNext = prepared(`INSERT INTO sequences (org_id, value) VALUES (?, 1)
		ON CONFLICT (org_id) DO UPDATE SET value = value + 1 RETURNING value`)
	sequenceSet = prepared(`INSERT INTO sequences (org_id, value) VALUES (?, ?)
		ON CONFLICT (org_id) DO UPDATE SET value = max(value, excluded.value)`)
	eventAppend  = prepared(`INSERT INTO events (org_id, seq, id, body) VALUES (?,?,?,?)`)
	eventsOldest = prepared(`SELECT body FROM events WHERE org_id=? AND seq>? ORDER BY seq ASC LIMIT ?`)
	eventsNewest = prepared(`SELECT body FROM events WHERE org_id=? AND seq>? ORDER BY seq DESC LIMIT ?`)
	settingGet   = prepared(`SELECT value FROM settings WHERE key=?`)
	settingPut   = prepared(`INSERT INTO settings (key, value) VALUES (?,?) ON CONFLICT (key) DO UPDATE SET value=excluded.value`)
	settingList  = prepared(`SELECT key, value FROM settings`)
)

func (t *tx) ResourceGet(ctx context.Context, k store.Key) (*api.ResourceInstance, error) {
	var body string
	err := t.queryRow(ctx, resourceGet, k.Org, k.Group, k.Kind, k.ScopeKind, k.ScopeName, k.Name).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return decodeResource(body)
}

func (t *tx) ResourceList(ctx context.Context, f store.ResourceFilter) ([]*api.ResourceInstance, error) {
	var where []string
	args := []any{f.Org}
	where = append(where, "org_id=?")
	for _, c := range []struct {
		col, val string
	}{{"grp", f.Group}, {"kind", f.Kind}, {"scope_kind", f.ScopeKind}, {"scope_name", f.ScopeName}} {
		if c.val != "" {
			where = append(where, c.col+"=?")
			args = append(args, c.val)
		}
	}
	rows, err := t.tx.QueryContext(t.ctx(ctx),
		`SELECT body FROM resources WHERE `+strings.Join(where, " AND ")+` ORDER BY created_seq`, args...)
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
	body, err := store.Encoded(r, body)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, resourceCreate, org, r.Group, r.Kind, r.ScopeKind(), r.ScopeName(), r.Name, r.Metadata.ID, createdSeq(r), string(body))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrConflict
	}
	return nil
}

func (t *tx) ResourceUpdate(ctx context.Context, org string, r *api.ResourceInstance, body []byte) error {
	body, err := store.Encoded(r, body)
	if err != nil {
		return err
	}
	return expectOne(t.exec(ctx, resourceUpdate, string(body), org, r.Group, r.Kind, r.ScopeKind(), r.ScopeName(), r.Name))
}

func (t *tx) ResourceDelete(ctx context.Context, k store.Key) error {
	return expectOne(t.exec(ctx, resourceDelete, k.Org, k.Group, k.Kind, k.ScopeKind, k.ScopeName, k.Name))
}

func expectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) SequenceNext(ctx context.Context, org string) (int64, error) {
	var v int64
	err := t.queryRow(ctx, sequenceNext, org).Scan(&v)
	return v, err
}

func (t *tx) EventAppend(ctx context.Context, org string, ev *api.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	var seq int64
	if ev.Metadata != nil {
		seq = ev.Metadata.SequenceID
	}
	_, err = t.exec(ctx, eventAppend, org, seq, ev.ID, string(body))
	return err
}

func (t *tx) EventList(ctx context.Context, f store.EventFilter) ([]*api.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q := eventsOldest
	if f.Newest {
		q = eventsNewest
	}
	rows, err := t.query(ctx, q, f.Org, f.AfterSequence, limit)
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
	var v string
	err := t.queryRow(ctx, settingGet, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return v, err
}

func (t *tx) SettingPut(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx, settingPut, key, value)
	return err
}

func (t *tx) SettingList(ctx context.Context) (map[string]string, error) {
	rows, err := t.query(ctx, settingList)
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
	_, err := t.exec(ctx, sequenceSet, org, value)
	return err
}
