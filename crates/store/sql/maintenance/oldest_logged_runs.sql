-- A tenant's finished runs that have a log, oldest first: the budget prunes their logs first.
-- Queued and running runs are never pruned (their attempts may still be writing).
SELECT id, log_bytes
FROM task_runs
WHERE tenant_id = :tenant AND log_bytes > 0 AND finished_at IS NOT NULL
  AND status NOT IN ('queued', 'running')
ORDER BY finished_at, id
LIMIT :limit
