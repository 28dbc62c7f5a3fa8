-- Asks the node holding a task's runs claimed ahead of their instant, and not started yet, to
-- cancel them (stop, delete, overlap `replace`): as a queued run would be, they are cancelled
-- before they execute. `started_at` of such a run is its instant, still to come.
UPDATE task_runs SET cancel_requested = TRUE
WHERE task_id = :task_id AND status = 'running' AND started_at > :at
