-- Cancels a task's queued runs (stop, delete, overlap `replace`).
-- PostgreSQL: runs a claimer has locked are left to it (they are starting, as if claimed just
-- before). Waiting for them would deadlock: the claimer, holding them, waits for the task row
-- this transaction holds.
UPDATE task_runs SET status = 'cancelled', finished_at = :at, error = :why
WHERE task_id = :task_id AND status = 'queued'
  AND id IN (
      SELECT id FROM task_runs WHERE task_id = :task_id AND status = 'queued'
      FOR UPDATE SKIP LOCKED
  )
