-- Claims count each webhook's leased deliveries (limits that hold across
-- replicas); only deliveries in flight have a lease.
CREATE INDEX deliveries_leased ON deliveries (wh_scope_kind, wh_scope_name, wh_name, lease_until) WHERE lease_until > 0;
