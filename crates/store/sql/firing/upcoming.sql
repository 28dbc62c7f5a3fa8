-- The earliest next occurrences of active tasks, earliest first (repeats kept); served by
-- `ix_scheduled_tasks_due`.
SELECT next_run_at FROM scheduled_tasks
WHERE deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL
ORDER BY next_run_at
LIMIT CAST(:limit AS BIGINT)
