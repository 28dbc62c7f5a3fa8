-- Tenants whose runs' stored log bytes are over :over, with their total: one pass over the
-- partial index of runs that have a log (ix_task_runs_tenant_logs), never over the lines.
SELECT tenant_id, CAST(SUM(log_bytes) AS BIGINT) AS bytes
FROM task_runs
WHERE log_bytes > 0
GROUP BY tenant_id
HAVING SUM(log_bytes) > :over
ORDER BY tenant_id
