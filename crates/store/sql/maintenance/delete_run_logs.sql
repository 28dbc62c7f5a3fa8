-- Deletes every log line of the runs listed.
DELETE FROM task_run_logs
WHERE run_id IN (SELECT v.column1 FROM (VALUES {rows: (:run_id)}) v)
