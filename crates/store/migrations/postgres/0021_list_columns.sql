-- The task list's Duration column and strip of recent outcomes (issue 17), kept on the task row
-- by the finisher's one UPDATE per task and batch (finishing/record_task_outcomes), so the list
-- reads them with the row and pays nothing per task shown.
-- last_run_duration_ms: how long the attempt last_run_status describes ran.
-- recent_outcomes: one letter per run that ended for good, newest first, at most
-- RECENT_OUTCOMES_KEPT (s succeeded, f failed, t timed_out, c cancelled).
-- Both start empty: filled by the runs that end after this migration. A constant default is
-- only recorded in the catalogue (PostgreSQL 11+): adding them rewrites no row.
ALTER TABLE scheduled_tasks
    ADD COLUMN last_run_duration_ms BIGINT,
    ADD COLUMN recent_outcomes TEXT NOT NULL DEFAULT '';
