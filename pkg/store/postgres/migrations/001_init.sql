-- Resources: the whole resource document is kept as JSON text in body (text,
-- not jsonb, so the bytes written come back as written); the key columns
-- repeat what lookups and uniqueness need.
CREATE TABLE resources (
    org_id      text   NOT NULL,
    grp         text   NOT NULL,
    kind        text   NOT NULL,
    scope_kind  text   NOT NULL DEFAULT '',
    scope_name  text   NOT NULL DEFAULT '',
    name        text   NOT NULL,
    id          text   NOT NULL,
    created_seq bigint NOT NULL,
    body        text   NOT NULL,
    PRIMARY KEY (org_id, grp, kind, scope_kind, scope_name, name)
);
CREATE INDEX resources_scope ON resources (org_id, scope_kind, scope_name);

-- One counter per organization: sequence ids for events and resourceVersion.
CREATE TABLE sequences (
    org_id text   PRIMARY KEY,
    value  bigint NOT NULL
);

CREATE TABLE events (
    org_id text   NOT NULL,
    seq    bigint NOT NULL,
    id     text   NOT NULL,
    body   text   NOT NULL,
    PRIMARY KEY (org_id, seq)
);

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
