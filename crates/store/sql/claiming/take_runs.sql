-- Takes the runs claiming/fair_share.rs chose under this node's lease. A run claimed ahead of
-- its `not_before` (at most the claim's lead) starts then: its worker holds it until that
-- instant, and `started_at` says when it will start, never before `not_before`. Each run comes
-- back with its task's version now, so the claim reads only the tasks it has not seen at that
-- version (claiming/task_cache.rs).
UPDATE task_runs SET
    status = 'running', lease_owner = :owner, lease_expires_at = :lease_end,
    started_at = CASE WHEN not_before > :now THEN not_before ELSE :now END, finished_at = NULL
WHERE status = 'queued' AND id IN (VALUES {rows: (CAST(:id AS BIGINT))})
RETURNING uuid, tenant_id, task_id,
          (SELECT s.version FROM scheduled_tasks s WHERE s.id = task_runs.task_id) AS task_version_now,
          trigger, scheduled_for, started_at, attempt, max_attempts,
          rescues + requeues AS not_failures, args, parent
