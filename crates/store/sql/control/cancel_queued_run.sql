-- Cancels a run that has not started.
UPDATE task_runs SET status = 'cancelled', finished_at = :at, error = 'cancelled'
WHERE id = :run_id AND status = 'queued'
