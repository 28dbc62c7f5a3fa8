-- Due active tasks, earliest first; served by the partial index `ix_scheduled_tasks_due`.
-- SQLite: the firing transaction holds the database's only write lock.
--
-- The limit is cast, as in every statement the engine runs in a loop: SQLite's planner reads a
-- bare `LIMIT $n`, so binding it again (even to the same value) makes SQLite re-prepare the
-- whole statement at its next step.
SELECT {task_columns} FROM scheduled_tasks
WHERE next_run_at <= :now AND deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL
ORDER BY next_run_at
LIMIT CAST(:limit AS BIGINT)
