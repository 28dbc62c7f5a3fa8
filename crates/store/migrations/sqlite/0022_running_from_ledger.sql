-- Whether a task is running is read from the ledger (a run of it in `running`, through
-- `ix_task_runs_running_task`), no longer kept on the task row: keeping it cost every claim an
-- UPDATE of each claimed task's row, and on PostgreSQL those row locks queued behind the
-- finisher's and the firing's writes of the same rows under load. `last_run_at` stays and is
-- written by the finisher with the outcome; reads show a running run's start in its place.
ALTER TABLE scheduled_tasks DROP COLUMN is_running;
