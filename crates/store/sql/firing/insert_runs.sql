-- Ledger rows: fired occurrences (queued or skipped) and manual runs. An occurrence that
-- already has a row (another node fired it) is left alone. Returns the inserted rows (a skip
-- row's reason and occurrences for the skip metric).
INSERT INTO task_runs (
    uuid, tenant_id, task_id, task_version, trigger, scheduled_for, scheduled_until,
    occurrences, status, skip_reason, attempt, max_attempts, not_before, queued_at,
    finished_at, error
) VALUES {rows: (
    :uuid, :tenant, :task_id, :task_version, :trigger, :scheduled_for, :scheduled_until,
    :occurrences, :status, :skip_reason, 1, :max_attempts, :not_before, :queued_at,
    :finished_at, :error
)}
ON CONFLICT DO NOTHING
RETURNING status, uuid, skip_reason, occurrences
