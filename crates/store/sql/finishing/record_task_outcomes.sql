-- Tasks' latest outcomes; which of them have chains (their runs that ended for good queue
-- chained runs: chains/queue_chained). `last_run_at` moves to the latest start of the batch's
-- attempts of the task; while a run is running, reads show its start (query.rs TASK_COLUMNS).
-- VALUES columns: 1 task id, 2 status, 3 error, 4 duration, 5 the letters of the batch's runs
-- of the task that ended for good, newest first (empty when all wait for a retry), put in
-- front of the kept ones and cut to :kept, 6 the latest start of its attempts (NULL when none
-- started: a run cancelled before its instant leaves `last_run_at` as it was).
UPDATE scheduled_tasks SET
    last_run_status = v.column2,
    last_error = v.column3,
    last_run_duration_ms = v.column4,
    recent_outcomes = SUBSTR(v.column5 || recent_outcomes, 1, CAST(:kept AS INTEGER)),
    last_run_at = CASE WHEN last_run_at IS NULL OR last_run_at < v.column6
                       THEN v.column6 ELSE last_run_at END
FROM (VALUES {rows: (:task_id, :status, :error, :duration_ms, :ended, :started_at)}) v
WHERE scheduled_tasks.id = v.column1
RETURNING scheduled_tasks.id, scheduled_tasks.uuid, scheduled_tasks.chain_slots
