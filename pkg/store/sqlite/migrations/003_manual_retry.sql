-- A delivery retried by hand: its next attempt is recorded as "manual".
ALTER TABLE deliveries ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;
