-- Marks the runs listed as pruned, their stored log bytes now none.
UPDATE task_runs SET log_bytes = 0, logs_pruned_at = :now
FROM (VALUES {rows: (:run_id)}) v
WHERE task_runs.id = v.column1
