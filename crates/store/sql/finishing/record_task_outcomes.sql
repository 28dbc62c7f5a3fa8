-- Tasks' latest outcomes, and whether a run of each is still running; which of them have
-- chains (their runs that ended for good queue chained runs: chains/queue_chained).
-- VALUES columns: 1 task id, 2 status, 3 error.
UPDATE scheduled_tasks SET
    last_run_status = v.column2,
    last_error = v.column3,
    is_running = EXISTS (
        SELECT 1 FROM task_runs r
        WHERE r.task_id = scheduled_tasks.id AND r.status = 'running'
    )
FROM (VALUES {rows: (:task_id, :status, :error)}) v
WHERE scheduled_tasks.id = v.column1
RETURNING scheduled_tasks.id, scheduled_tasks.uuid, scheduled_tasks.chain_slots
