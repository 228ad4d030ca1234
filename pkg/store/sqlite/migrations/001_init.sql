-- Resources: the whole resource document is kept as JSON in body; the key
-- columns repeat what lookups and uniqueness need.
CREATE TABLE resources (
    org_id      TEXT NOT NULL,
    grp         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scope_kind  TEXT NOT NULL DEFAULT '',
    scope_name  TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    id          TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (org_id, grp, kind, scope_kind, scope_name, name)
) WITHOUT ROWID;
CREATE INDEX resources_scope ON resources (org_id, scope_kind, scope_name);

-- One counter per organization: sequence ids for events and resourceVersion.
CREATE TABLE sequences (
    org_id TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    org_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    id     TEXT NOT NULL,
    body   TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
