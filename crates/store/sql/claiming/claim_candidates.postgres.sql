-- The queued runs a claim chooses from (claiming/fair_share.rs decides): each tenant's
-- oldest runs due by :due_by (the claim's instant plus its lead), at most its even share of
-- :limit and its room under :per_tenant, with the runs and the python runs its tenant has
-- running on every node. A run waiting for a running run of its task is no candidate. The
-- tenants with queued runs are found by skipping through `ix_task_runs_queued_tenant` one
-- tenant at a time, at most :window of them in a round (query.rs, queued_tenants).
--
-- PostgreSQL: every candidate is locked, so two claimers never choose the same run; each
-- skips what the other holds. Hence the per-tenant bound: a run locked here and then not
-- taken is skipped by another node's claim until this transaction ends.
WITH RECURSIVE {queued_tenants},
{busy_tenants}
SELECT c.id, c.tenant_id, c.not_before, s.type = 'python_script' AS sandboxed,
       COALESCE(b.busy, 0) AS busy, COALESCE(b.busy_sandboxed, 0) AS busy_sandboxed,
       t.n AS turn
FROM tenants t
CROSS JOIN LATERAL (
    SELECT q.id, q.tenant_id, q.task_id, q.not_before FROM task_runs q
    WHERE q.status = 'queued' AND q.tenant_id = t.tenant_id AND q.not_before <= :due_by
      AND {q_not_waiting}
    ORDER BY q.not_before, q.id
    LIMIT GREATEST(0, LEAST(
        (SELECT (:limit + COUNT(*) - 1) / NULLIF(COUNT(*), 0)
         FROM tenants WHERE tenant_id IS NOT NULL),
        :per_tenant - COALESCE((SELECT busy FROM busy WHERE busy.tenant_id = t.tenant_id), 0)
    ))
    FOR UPDATE OF q SKIP LOCKED
) c
JOIN scheduled_tasks s ON s.id = c.task_id
LEFT JOIN busy b ON b.tenant_id = c.tenant_id
