-- The due indexes hold only deliveries without a lease, so claims never
-- step over those in flight; an expired lease is cleared by the next claim.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_at, event_seq) WHERE status = 'pending' AND lease_until = 0;
DROP INDEX deliveries_webhook_due;
CREATE INDEX deliveries_webhook_due ON deliveries (org_id, wh_scope_kind, wh_scope_name, wh_name, next_at, event_seq)
    WHERE status = 'pending' AND lease_until = 0;
