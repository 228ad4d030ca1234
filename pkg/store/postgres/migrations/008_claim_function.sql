-- A claim's lock and its read of candidates become one statement: this
-- function takes the claims lock, then reads. Claims run one at a time
-- across replicas under that lock, and each must read under a snapshot
-- taken once the lock is granted, so that it sees every lease committed
-- before it (a lease is a row of leases, which FOR UPDATE's re-check of a
-- candidate does not look at). A query's own snapshot is taken before any
-- lock it takes; a VOLATILE function's statements each take a new one.
--
-- The same call lets the transaction commit without waiting for its WAL
-- flush (synchronous_commit off, for this transaction only). The lock is
-- held until the commit, so the flush was a wait every replica's claims
-- queued behind; and what a dispatcher's transaction writes, leases and
-- attempt results, may be lost in a crash of the database server without
-- losing a delivery: it is sent again (at least once), never dropped.
--
-- Candidates are due, unleased deliveries, for ordered webhooks only the
-- oldest pending one per resource, locked FOR UPDATE SKIP LOCKED (passing
-- over rows a finish or a retry is changing), each with its webhook's
-- count of valid leases (all replicas') and its event. With p_org set,
-- one webhook's deliveries through its own index; else every webhook's but
-- those in p_exclude ('kind/scope/name'). The two queries differ in that
-- filter only: written out twice so that each keeps a plan of its own.
CREATE FUNCTION claim_candidates(p_now bigint, p_limit integer, p_exclude text[],
        p_org text, p_kind text, p_scope text, p_name text)
    RETURNS TABLE (id text, org_id text, event_id text, event_seq bigint, event_type text, resource text,
        wh_scope_kind text, wh_scope_name text, wh_name text, order_key text, status text, attempts integer,
        last_status integer, last_error text, next_at bigint, created_at bigint, updated_at bigint,
        max_in_flight integer, manual boolean, leased bigint, body text)
    LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('central.claims/' || current_schema(), 0)),
        set_config('synchronous_commit', 'off', true);
    IF p_org IS NOT NULL THEN
        RETURN QUERY WITH held (h_org, h_kind, h_scope, h_name, n) AS MATERIALIZED (
            SELECT l.org_id, l.wh_scope_kind, l.wh_scope_name, l.wh_name, count(*) FROM leases l
            WHERE l.until >= p_now GROUP BY 1, 2, 3, 4)
        SELECT d.id, d.org_id, d.event_id, d.event_seq, d.event_type, d.resource, d.wh_scope_kind, d.wh_scope_name,
            d.wh_name, d.order_key, d.status, d.attempts, d.last_status, d.last_error, d.next_at, d.created_at,
            d.updated_at, d.max_in_flight, d.manual, coalesce(h.n, 0),
            (SELECT ev.body FROM events ev WHERE ev.org_id = d.org_id AND ev.seq = d.event_seq)
        FROM deliveries d LEFT JOIN held h
            ON (h.h_org, h.h_kind, h.h_scope, h.h_name) = (d.org_id, d.wh_scope_kind, d.wh_scope_name, d.wh_name)
        WHERE d.status = 'pending' AND d.next_at <= p_now
            AND d.org_id = p_org AND d.wh_scope_kind = p_kind AND d.wh_scope_name = p_scope AND d.wh_name = p_name
            AND d.id NOT IN (SELECT v.delivery_id FROM leases v WHERE v.until >= p_now)
            AND (d.order_key = '' OR NOT EXISTS (SELECT 1 FROM deliveries e
                WHERE e.status = 'pending' AND e.order_key <> '' AND e.order_key = d.order_key AND e.org_id = d.org_id
                AND e.wh_scope_kind = d.wh_scope_kind AND e.wh_scope_name = d.wh_scope_name AND e.wh_name = d.wh_name
                AND e.event_seq < d.event_seq))
        ORDER BY d.next_at, d.event_seq LIMIT p_limit
        FOR UPDATE OF d SKIP LOCKED;
    ELSE
        RETURN QUERY WITH held (h_org, h_kind, h_scope, h_name, n) AS MATERIALIZED (
            SELECT l.org_id, l.wh_scope_kind, l.wh_scope_name, l.wh_name, count(*) FROM leases l
            WHERE l.until >= p_now GROUP BY 1, 2, 3, 4)
        SELECT d.id, d.org_id, d.event_id, d.event_seq, d.event_type, d.resource, d.wh_scope_kind, d.wh_scope_name,
            d.wh_name, d.order_key, d.status, d.attempts, d.last_status, d.last_error, d.next_at, d.created_at,
            d.updated_at, d.max_in_flight, d.manual, coalesce(h.n, 0),
            (SELECT ev.body FROM events ev WHERE ev.org_id = d.org_id AND ev.seq = d.event_seq)
        FROM deliveries d LEFT JOIN held h
            ON (h.h_org, h.h_kind, h.h_scope, h.h_name) = (d.org_id, d.wh_scope_kind, d.wh_scope_name, d.wh_name)
        WHERE d.status = 'pending' AND d.next_at <= p_now
            AND NOT (d.wh_scope_kind || '/' || d.wh_scope_name || '/' || d.wh_name = ANY(p_exclude))
            AND d.id NOT IN (SELECT v.delivery_id FROM leases v WHERE v.until >= p_now)
            AND (d.order_key = '' OR NOT EXISTS (SELECT 1 FROM deliveries e
                WHERE e.status = 'pending' AND e.order_key <> '' AND e.order_key = d.order_key AND e.org_id = d.org_id
                AND e.wh_scope_kind = d.wh_scope_kind AND e.wh_scope_name = d.wh_scope_name AND e.wh_name = d.wh_name
                AND e.event_seq < d.event_seq))
        ORDER BY d.next_at, d.event_seq LIMIT p_limit
        FOR UPDATE OF d SKIP LOCKED;
    END IF;
END
$$;
