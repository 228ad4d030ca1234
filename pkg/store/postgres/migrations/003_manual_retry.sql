-- A delivery retried by hand: its next attempt is recorded as "manual".
ALTER TABLE deliveries ADD COLUMN manual boolean NOT NULL DEFAULT false;
