-- Takes queued runs whose time has come under this node's lease, at most :limit, fair across
-- tenants: every tenant's oldest run ranks before any tenant's second, so one tenant's flood
-- cannot starve another. A tenant's runs rank after the ones it already has running, and none
-- ranks past :per_tenant (the most runs a tenant may have running at once). The tenants with
-- queued runs are found by skipping through `ix_task_runs_queued_tenant` one tenant at a time,
-- and each gives at most :limit candidates, so a claim costs what it takes, not the length of
-- the queue.
--
-- SQLite: the claiming transaction holds the database's only write lock. Its planner runs the
-- correlated `IN` once per tenant and looks the rows up by id. The limits are cast (see
-- firing/due_tasks.sqlite.sql).
UPDATE task_runs SET
    status = 'running', lease_owner = :owner, lease_expires_at = :lease_end,
    started_at = :now, finished_at = NULL
WHERE id IN (
    WITH RECURSIVE tenants(tenant_id) AS (
        SELECT MIN(tenant_id) FROM task_runs WHERE status = 'queued'
        UNION ALL
        SELECT (SELECT MIN(n.tenant_id) FROM task_runs n
                WHERE n.status = 'queued' AND n.tenant_id > t.tenant_id)
        FROM tenants t WHERE t.tenant_id IS NOT NULL
    ),
    busy AS (
        SELECT tenant_id, COUNT(*) AS n FROM task_runs WHERE status = 'running'
        GROUP BY tenant_id
    ),
    ranked AS (
        SELECT c.id, c.tenant_id, c.not_before,
               ROW_NUMBER() OVER (PARTITION BY c.tenant_id ORDER BY c.not_before, c.id) AS rnk
        FROM tenants t
        JOIN task_runs c ON c.id IN (
            SELECT q.id FROM task_runs q
            WHERE q.status = 'queued' AND q.tenant_id = t.tenant_id AND q.not_before <= :now
              AND {q_not_waiting}
            ORDER BY q.not_before, q.id
            LIMIT CAST(:limit AS BIGINT)
        )
    )
    SELECT k.id FROM ranked k LEFT JOIN busy ON busy.tenant_id = k.tenant_id
    WHERE k.rnk + COALESCE(busy.n, 0) <= :per_tenant
    ORDER BY k.rnk, k.not_before, k.id
    LIMIT CAST(:limit AS BIGINT)
)
RETURNING uuid, tenant_id, task_id, trigger, scheduled_for, attempt, max_attempts,
          rescues + requeues AS not_failures
