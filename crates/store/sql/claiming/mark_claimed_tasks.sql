-- Marks the tasks of the runs this node just claimed running, and reads them. The ids come
-- from claiming/take_runs.sql's rows: looking the tasks up through the running runs instead
-- would read every run running on every node, on each claim.
UPDATE scheduled_tasks SET is_running = TRUE, last_run_at = :now
WHERE id IN (VALUES {rows: (CAST(:id AS BIGINT))})
RETURNING {task_columns}
