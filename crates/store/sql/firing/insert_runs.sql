-- Ledger rows: fired occurrences (queued or skipped) and manual runs. An occurrence that
-- already has a row (another node fired it) is left alone. Returns the inserted rows (a skip
-- row's reason and occurrences for the skip metric), and for a skip row whether its tenant has
-- an occurrence.skipped rule for its task or a default (only such rows get an event: the
-- lookup is made for skip rows alone, so queued rows cost nothing more).
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
RETURNING status, uuid, skip_reason, occurrences, scheduled_for, scheduled_until,
    CASE WHEN status = 'skipped' THEN EXISTS (
        SELECT 1 FROM notify_rules n
        WHERE n.tenant_id = task_runs.tenant_id AND n.event = 'occurrence.skipped'
          AND (n.task_id = task_runs.task_id OR n.task_id IS NULL))
    ELSE FALSE END
