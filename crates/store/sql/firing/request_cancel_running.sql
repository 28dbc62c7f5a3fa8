-- The running runs of a task are asked to stop (overlap policy `replace`; stop with
-- `cancel_running`).
UPDATE task_runs SET cancel_requested = TRUE
WHERE task_id = :task_id AND status = 'running'
