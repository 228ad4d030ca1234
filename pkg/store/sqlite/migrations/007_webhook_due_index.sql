-- Claims for one webhook (a slot it freed) read its due deliveries in
-- order without passing over those of other webhooks.
CREATE INDEX deliveries_webhook_due ON deliveries (org_id, wh_scope_kind, wh_scope_name, wh_name, next_at, event_seq)
    WHERE status = 'pending';
