-- Leases moved to memory (lease.go): leases left in the table by an older
-- version belong to no running dispatcher, and nothing counts them any more.
UPDATE deliveries SET lease_owner = '', lease_until = 0 WHERE lease_until <> 0;
DROP INDEX deliveries_leased;
