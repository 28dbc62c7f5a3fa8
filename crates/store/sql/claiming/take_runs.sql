-- Takes the runs claiming/fair_share.rs chose under this node's lease.
UPDATE task_runs SET
    status = 'running', lease_owner = :owner, lease_expires_at = :lease_end,
    started_at = :now, finished_at = NULL
WHERE status = 'queued' AND id IN (VALUES {rows: (CAST(:id AS BIGINT))})
RETURNING uuid, tenant_id, task_id, trigger, scheduled_for, attempt, max_attempts,
          rescues + requeues AS not_failures, args, parent
