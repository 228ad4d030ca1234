CREATE TABLE deliveries (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    event_seq      INTEGER NOT NULL,
    event_type     TEXT NOT NULL,
    resource       TEXT NOT NULL,          -- JSON api.ResourceRef
    wh_scope_kind  TEXT NOT NULL,
    wh_scope_name  TEXT NOT NULL,
    wh_name        TEXT NOT NULL,
    order_key      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_status    INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    next_at        INTEGER NOT NULL,       -- unix ms; due time while pending
    lease_owner    TEXT NOT NULL DEFAULT '',
    lease_until    INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE status = 'pending';
CREATE INDEX deliveries_order ON deliveries (org_id, wh_scope_kind, wh_scope_name, wh_name, order_key, event_seq) WHERE status = 'pending' AND order_key <> '';
CREATE INDEX deliveries_webhook ON deliveries (org_id, wh_scope_kind, wh_scope_name, wh_name, created_at);
CREATE INDEX deliveries_created ON deliveries (org_id, created_at);

CREATE TABLE attempts (
    delivery_id TEXT NOT NULL,
    number      INTEGER NOT NULL,
    body        TEXT NOT NULL,             -- JSON api.Attempt
    PRIMARY KEY (delivery_id, number)
) WITHOUT ROWID;

CREATE TABLE webhook_health (
    org_id        TEXT NOT NULL,
    wh_scope_kind TEXT NOT NULL,
    wh_scope_name TEXT NOT NULL,
    wh_name       TEXT NOT NULL,
    failing_since INTEGER NOT NULL DEFAULT 0,
    last_success  INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, wh_scope_kind, wh_scope_name, wh_name)
) WITHOUT ROWID;
