-- A task's latest success (a run's `finished_at`) at or before :at.
SELECT MAX(finished_at) FROM task_runs
WHERE task_id = :task_id AND status = 'succeeded' AND finished_at <= :at
