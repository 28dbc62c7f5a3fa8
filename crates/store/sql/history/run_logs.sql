-- A run's log, in the order it was written.
SELECT attempt, seq, ts, stream, line FROM task_run_logs
WHERE run_id = :run_id
ORDER BY attempt, seq
