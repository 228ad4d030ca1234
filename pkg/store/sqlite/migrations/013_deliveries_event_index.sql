-- The deliveries of one event (GET /deliveries?eventId=ID: what became of
-- the event a receiver knows by its webhook-id, and the console's event
-- page) are found through an index instead of a scan of every delivery;
-- created_at in it serves a list's order without a sort.
CREATE INDEX deliveries_event ON deliveries (org_id, event_id, created_at);
