-- Tasks' latest outcomes, and whether a run of each is still running; which of them have
-- chains (their runs that ended for good queue chained runs: chains/queue_chained).
-- VALUES columns: 1 task id, 2 status, 3 error, 4 duration, 5 the letters of the batch's runs
-- of the task that ended for good, newest first (empty when all wait for a retry), put in
-- front of the kept ones and cut to :kept.
UPDATE scheduled_tasks SET
    last_run_status = v.column2,
    last_error = v.column3,
    last_run_duration_ms = v.column4,
    recent_outcomes = SUBSTR(v.column5 || recent_outcomes, 1, CAST(:kept AS INTEGER)),
    is_running = EXISTS (
        SELECT 1 FROM task_runs r
        WHERE r.task_id = scheduled_tasks.id AND r.status = 'running'
    )
FROM (VALUES {rows: (:task_id, :status, :error, :duration_ms, :ended)}) v
WHERE scheduled_tasks.id = v.column1
RETURNING scheduled_tasks.id, scheduled_tasks.uuid, scheduled_tasks.chain_slots
