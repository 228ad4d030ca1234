-- Leases move out of the deliveries rows into a small table of their own.
-- A lease written into its delivery's row made a new version of the whole
-- row, with an entry in each of its indexes (lease_until was indexed), and
-- the finish made another. A row of leases is a slot: a claim fills free
-- ones (ended or expired) and adds rows only when none is free, and a
-- finish empties them. No column of it but the slot is indexed, so both
-- are in-place (HOT) updates and the table stays as large as the most
-- leases ever held at once: claims read it whole, as they count each
-- webhook's leases and pass over the deliveries in flight. The fill factor
-- leaves every page room for those updates.
CREATE TABLE leases (
    slot          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   text   NOT NULL,
    org_id        text   NOT NULL,
    wh_scope_kind text   NOT NULL,
    wh_scope_name text   NOT NULL,
    wh_name       text   NOT NULL,
    owner         text   NOT NULL,
    until         bigint NOT NULL
) WITH (fillfactor = 50);

INSERT INTO leases (delivery_id, org_id, wh_scope_kind, wh_scope_name, wh_name, owner, until)
SELECT id, org_id, wh_scope_kind, wh_scope_name, wh_name, lease_owner, lease_until
FROM deliveries WHERE status = 'pending' AND lease_until > 0;

DROP INDEX deliveries_leased;
ALTER TABLE deliveries DROP COLUMN lease_owner, DROP COLUMN lease_until;
