-- Due active tasks, earliest first; served by the partial index `ix_scheduled_tasks_due`.
-- PostgreSQL: each node locks the tasks it fires and skips the ones another node is firing.
SELECT {task_columns} FROM scheduled_tasks
WHERE next_run_at <= :now AND deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL
ORDER BY next_run_at
LIMIT CAST(:limit AS BIGINT)
FOR UPDATE SKIP LOCKED
