-- The queued runs a claim chooses from (claiming/fair_share.rs decides): each tenant's
-- oldest runs due by :due_by (the claim's instant plus its lead), at most :limit per tenant
-- and no more than the largest room under :per_tenant any of them has, with the runs and the
-- python runs its tenant has running on every node. A run waiting for a running run of its
-- task is no candidate, nor are the runs of a tenant at its cap (:per_tenant running).
-- The tenants with queued runs are found by skipping through `ix_task_runs_queued_tenant`
-- one tenant at a time, at most :window of them in a round (query.rs, queued_tenants), so a
-- claim costs what it takes, not the length of the queue nor the number of tenants waiting.
--
-- SQLite: the claiming transaction holds the database's only write lock, so what is read
-- here is still queued when claiming/take_runs.sql takes it. Its planner runs the correlated
-- `IN` once per tenant and looks the rows up by id. It refuses a correlated `LIMIT` (each
-- tenant's own room, as PostgreSQL's `LATERAL` has), so the rows are bounded by the largest
-- room: a tenant near its cap (one tenant under a steady load: every claim) has its few runs
-- read, not :limit of them, and fair_share.rs keeps each tenant within its own room. The cap
-- is checked on the tenant alone, so a tenant at its cap is passed over before its runs are
-- read. With the order of `q_not_waiting` (query.rs) this took a claim in W1 2,000 from 610
-- to 220 µs (bench/README.md, session 18). The limit is cast (see firing/due_tasks.sqlite.sql).
WITH RECURSIVE {queued_tenants},
{busy_tenants}
SELECT c.id, c.tenant_id, c.not_before, s.type = 'python_script' AS sandboxed,
       COALESCE(b.busy, 0) AS busy, COALESCE(b.busy_sandboxed, 0) AS busy_sandboxed,
       t.n AS turn
FROM tenants t
JOIN task_runs c ON c.id IN (
    SELECT q.id FROM task_runs q
    WHERE q.status = 'queued' AND q.tenant_id = t.tenant_id AND q.not_before <= :due_by
      AND {q_not_waiting}
    ORDER BY q.not_before, q.id
    LIMIT (SELECT MIN(CAST(:limit AS BIGINT), MAX(:per_tenant - COALESCE(rb.busy, 0)))
           FROM tenants rt LEFT JOIN busy rb ON rb.tenant_id = rt.tenant_id)
)
JOIN scheduled_tasks s ON s.id = c.task_id
LEFT JOIN busy b ON b.tenant_id = c.tenant_id
WHERE COALESCE((SELECT a.busy FROM busy a WHERE a.tenant_id = t.tenant_id), 0) < :per_tenant
