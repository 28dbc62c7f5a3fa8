-- Runs whose node stopped heartbeating: each is run again as a new attempt that does not use
-- up the task's retries (at-least-once), unless a cancellation was asked for or it was
-- already rescued :max_rescues times (a run that kills its node every time), which fails it
-- with :gave_up. A rescued run carries the error :rescued until its next attempt ends. A run
-- that ended here queues its task's chained runs (chains/queue_chained).
UPDATE task_runs SET
    status = CASE WHEN cancel_requested THEN 'cancelled'
                  WHEN rescues < :max_rescues THEN 'queued'
                  ELSE 'failed' END,
    attempt = CASE WHEN NOT cancel_requested AND rescues < :max_rescues
                   THEN attempt + 1 ELSE attempt END,
    max_attempts = CASE WHEN NOT cancel_requested AND rescues < :max_rescues
                        THEN max_attempts + 1 ELSE max_attempts END,
    finished_at = CASE WHEN NOT cancel_requested AND rescues < :max_rescues
                       THEN NULL ELSE :now END,
    error = CASE WHEN rescues < :max_rescues THEN :rescued ELSE :gave_up END,
    rescues = CASE WHEN NOT cancel_requested AND rescues < :max_rescues
                   THEN rescues + 1 ELSE rescues END,
    not_before = :now,
    lease_owner = NULL,
    lease_expires_at = NULL
WHERE status = 'running' AND lease_expires_at < :now
RETURNING task_id, id, uuid, status, attempt, result, error
