-- The running runs of a task are asked to stop (overlap policy `replace`; stop with
-- `cancel_running`).
-- (`status IN ('queued', 'running')` is repeated so that SQLite reads them through
-- ix_task_runs_task_live: migration 0023.)
UPDATE task_runs SET cancel_requested = TRUE
WHERE task_id = :task_id AND status IN ('queued', 'running') AND status = 'running'
