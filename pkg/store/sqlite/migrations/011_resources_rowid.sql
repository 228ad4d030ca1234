-- Resources become an ordinary (rowid) table, as events did in 009. In a
-- WITHOUT ROWID table every interior page holds whole rows, and a resource
-- document of several hundred bytes left four or five per page: 20,000
-- Environments made a b-tree seven levels deep with over a thousand
-- interior pages, more than a reader's page cache, so a GET by name read
-- several pages from the file. The unique key is now an index of key
-- columns only (three levels, a few hundred pages, always cached) that
-- leads to the row in a table ordered by rowid.
CREATE TABLE resources_rowid (
    org_id      TEXT NOT NULL,
    grp         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scope_kind  TEXT NOT NULL DEFAULT '',
    scope_name  TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    id          TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (org_id, grp, kind, scope_kind, scope_name, name)
);
INSERT INTO resources_rowid (org_id, grp, kind, scope_kind, scope_name, name, id, created_seq, body)
    SELECT org_id, grp, kind, scope_kind, scope_name, name, id, created_seq, body FROM resources ORDER BY org_id, created_seq;
DROP TABLE resources;
ALTER TABLE resources_rowid RENAME TO resources;
CREATE INDEX resources_scope ON resources (org_id, scope_kind, scope_name);
