-- Claims count each webhook's leased deliveries (for limits that hold
-- across dispatchers); only deliveries in flight have a lease.
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE lease_until > 0;
