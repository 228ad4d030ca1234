-- Events become an ordinary (rowid) table. In a WITHOUT ROWID table a row
-- of more than about 1,000 bytes (4 KiB pages) spills into overflow pages,
-- and an event carrying its resource is usually larger: every claim paid
-- an extra page read per event. A rowid table keeps up to about 4,000
-- bytes in the page, found through the primary key's index.
CREATE TABLE events_rowid (
    org_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    id     TEXT NOT NULL,
    body   TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
INSERT INTO events_rowid (org_id, seq, id, body) SELECT org_id, seq, id, body FROM events ORDER BY org_id, seq;
DROP TABLE events;
ALTER TABLE events_rowid RENAME TO events;
