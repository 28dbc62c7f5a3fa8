-- The runs a run queued through its task's chains, oldest first.
SELECT {run_columns}
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.parent_run_id = :run_id AND r.tenant_id = :tenant AND t.deleted_at IS NULL
ORDER BY r.id
