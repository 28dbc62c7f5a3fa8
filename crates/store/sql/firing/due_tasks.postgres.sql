-- Due active tasks, earliest first, and the ones due by :ahead_until with nothing queued or
-- running (fired ahead); served by the partial indexes `ix_scheduled_tasks_due` and
-- `ix_task_runs_task_live`. Their ids, versions and instants only: the definitions come from
-- the node's task cache, read for the versions it lacks (claiming/task_rows.sql).
-- PostgreSQL: each node locks the tasks it fires and skips the ones another node is firing.
SELECT id, version, next_run_at FROM scheduled_tasks
WHERE next_run_at <= :ahead_until AND deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL
  AND (next_run_at <= :now OR NOT EXISTS (
      SELECT 1 FROM task_runs r
      WHERE r.task_id = scheduled_tasks.id AND r.status IN ('queued', 'running')))
ORDER BY next_run_at
LIMIT CAST(:limit AS BIGINT)
FOR UPDATE SKIP LOCKED
