-- The webhook's limit on requests in flight, carried by each delivery so a
-- claim knows it without reading the webhook (0: the server's default).
ALTER TABLE deliveries ADD COLUMN max_in_flight INTEGER NOT NULL DEFAULT 0;
