-- Marks the tasks of the runs this node just claimed running, and reads them.
UPDATE scheduled_tasks SET is_running = TRUE, last_run_at = :now
WHERE id IN (
    SELECT task_id FROM task_runs
    WHERE status = 'running' AND lease_owner = :owner AND started_at = :now
)
RETURNING {task_columns}
