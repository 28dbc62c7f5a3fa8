-- Asks the worker of a running run to cancel it.
UPDATE task_runs SET cancel_requested = TRUE WHERE id = :run_id AND status = 'running'
