-- The deliveries of one event (GET /deliveries?event=ID: what became of
-- the event a receiver knows by its webhook-id, and the console's event
-- page) are found through an index instead of a scan of every delivery.
CREATE INDEX deliveries_event ON deliveries (org_id, event_id);
