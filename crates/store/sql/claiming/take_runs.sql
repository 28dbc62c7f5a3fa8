-- Takes the runs claiming/fair_share.rs chose under this node's lease. A run claimed ahead of
-- its `not_before` (at most the claim's lead) starts then: its worker holds it until that
-- instant, and `started_at` says when it will start, never before `not_before`.
UPDATE task_runs SET
    status = 'running', lease_owner = :owner, lease_expires_at = :lease_end,
    started_at = CASE WHEN not_before > :now THEN not_before ELSE :now END, finished_at = NULL
WHERE status = 'queued' AND id IN (VALUES {rows: (CAST(:id AS BIGINT))})
RETURNING uuid, tenant_id, task_id, trigger, scheduled_for, started_at, attempt, max_attempts,
          rescues + requeues AS not_failures, args, parent
