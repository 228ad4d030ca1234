-- The same tables as the SQLite store's 002 migration; times are unix ms.
CREATE TABLE deliveries (
    id             text    PRIMARY KEY,
    org_id         text    NOT NULL,
    event_id       text    NOT NULL,
    event_seq      bigint  NOT NULL,
    event_type     text    NOT NULL,
    resource       text    NOT NULL,          -- JSON api.ResourceRef
    wh_scope_kind  text    NOT NULL,
    wh_scope_name  text    NOT NULL,
    wh_name        text    NOT NULL,
    order_key      text    NOT NULL DEFAULT '',
    status         text    NOT NULL,
    attempts       integer NOT NULL DEFAULT 0,
    last_status    integer NOT NULL DEFAULT 0,
    last_error     text    NOT NULL DEFAULT '',
    next_at        bigint  NOT NULL,          -- unix ms; due time while pending
    lease_owner    text    NOT NULL DEFAULT '',
    lease_until    bigint  NOT NULL DEFAULT 0,
    created_at     bigint  NOT NULL,
    updated_at     bigint  NOT NULL
);
-- event_seq follows next_at so that a claim reads due rows in its ORDER BY
-- without sorting them.
CREATE INDEX deliveries_due ON deliveries (next_at, event_seq) WHERE status = 'pending';
CREATE INDEX deliveries_order ON deliveries (org_id, wh_scope_kind, wh_scope_name, wh_name, order_key, event_seq) WHERE status = 'pending' AND order_key <> '';
CREATE INDEX deliveries_webhook ON deliveries (org_id, wh_scope_kind, wh_scope_name, wh_name, created_at);
CREATE INDEX deliveries_created ON deliveries (org_id, created_at);

CREATE TABLE attempts (
    delivery_id text    NOT NULL,
    number      integer NOT NULL,
    body        text    NOT NULL,             -- JSON api.Attempt
    PRIMARY KEY (delivery_id, number)
);

CREATE TABLE webhook_health (
    org_id        text   NOT NULL,
    wh_scope_kind text   NOT NULL,
    wh_scope_name text   NOT NULL,
    wh_name       text   NOT NULL,
    failing_since bigint NOT NULL DEFAULT 0,
    last_success  bigint NOT NULL DEFAULT 0,
    last_error    text   NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, wh_scope_kind, wh_scope_name, wh_name)
);
