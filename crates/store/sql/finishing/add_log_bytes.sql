-- Counts log lines just appended to a run's stored log bytes.
UPDATE task_runs SET log_bytes = log_bytes + :bytes WHERE id = :run_id
