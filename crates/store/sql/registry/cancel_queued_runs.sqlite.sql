-- Cancels a task's queued runs (stop, delete, overlap `replace`).
-- SQLite: under the single writer nothing else is claiming.
UPDATE task_runs SET status = 'cancelled', finished_at = :at, error = :why
WHERE task_id = :task_id AND status = 'queued'
