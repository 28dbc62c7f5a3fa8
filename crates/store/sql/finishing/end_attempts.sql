-- Ends attempts of runs this node still holds. An attempt with a retry instant queues the
-- run's next attempt then; the others end the run with their status. A run somebody asked to
-- cancel ends `cancelled` whatever its attempt did. The log lines written with the outcome add
-- their bytes to the run's. Each row comes back with its task's outcome before this batch
-- (a success after a failure is a recovery to notify about).
-- VALUES columns: 1 run uuid, 2 attempt, 3 status, 4 retry at, 5 duration, 6 result,
-- 7 error, 8 started at, 9 log bytes.
UPDATE task_runs SET
    status = CASE WHEN cancel_requested THEN 'cancelled'
                  WHEN v.column4 IS NOT NULL THEN 'queued'
                  ELSE v.column3 END,
    attempt = CASE WHEN NOT cancel_requested AND v.column4 IS NOT NULL
                   THEN attempt + 1 ELSE attempt END,
    not_before = CASE WHEN NOT cancel_requested AND v.column4 IS NOT NULL
                      THEN v.column4 ELSE not_before END,
    finished_at = CASE WHEN NOT cancel_requested AND v.column4 IS NOT NULL
                       THEN NULL ELSE :now END,
    started_at = v.column8,
    duration_ms = v.column5,
    result = v.column6,
    error = CASE WHEN cancel_requested THEN COALESCE(v.column7, 'cancelled') ELSE v.column7 END,
    lease_owner = NULL,
    lease_expires_at = NULL,
    log_bytes = log_bytes + v.column9
FROM (VALUES {rows: (
    :run, :attempt, :status, :retry_at, :duration_ms, :result, :error, :started_at, :log_bytes
)}) v
WHERE task_runs.uuid = v.column1 AND task_runs.attempt = v.column2
  AND task_runs.lease_owner = :owner AND task_runs.status = 'running'
RETURNING task_runs.id, task_runs.uuid, task_runs.task_id, task_runs.cancel_requested,
    (SELECT s.last_run_status FROM scheduled_tasks s WHERE s.id = task_runs.task_id) AS task_last_status
