-- Claims read due deliveries in (next_at, event_seq) order: an index in
-- that order spares SQLite a sort of every delivery due at the same time.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_at, event_seq) WHERE status = 'pending';
