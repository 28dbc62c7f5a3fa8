-- Marks the tasks of the runs this node just claimed running, and reads them; `last_run_at`
-- is when the task's run starts (later than now for a run claimed ahead of its instant).
-- The ids come from claiming/take_runs.sql's rows: looking the tasks up through the running
-- runs instead would read every run running on every node, on each claim.
-- VALUES columns: 1 task id, 2 when its claimed run starts.
UPDATE scheduled_tasks SET is_running = TRUE, last_run_at = v.column2
FROM (VALUES {rows: (CAST(:id AS BIGINT), CAST(:starts AS BIGINT))}) v
WHERE scheduled_tasks.id = v.column1
RETURNING {task_columns}
