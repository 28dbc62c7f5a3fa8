-- Hands a run this node holds back to the queue (graceful shutdown): it runs again as a new
-- attempt that does not use up the task's retries, counted in `requeues`.
UPDATE task_runs SET
    status = 'queued', not_before = :now, lease_owner = NULL, lease_expires_at = NULL,
    attempt = attempt + 1, max_attempts = max_attempts + 1, requeues = requeues + 1
WHERE uuid = :run AND lease_owner = :owner AND status = 'running'
