-- Two indexes every execution wrote and no statement needs. Without them a database holding
-- the same runs is 8.6 % smaller (W1 2,000 for 20 s: 71.4 → 65.3 MB; bench/README.md,
-- session 19); the statements' times were level.
--
-- `ix_task_runs_running_task` (task_id) of running runs: the running runs of a task are found
-- through `ix_task_runs_task_live` (task_id, status) instead; those statements repeat
-- `status IN ('queued', 'running')` so that SQLite sees the partial index applies. A run
-- entered and left it at every execution.
--
-- `uq_task_run_logs_line` (run_id, attempt, seq): a line's `seq` is numbered after the newest
-- line of its attempt, found through `ix_task_run_logs_run_line` (run_id, id), and a run's
-- lines are read through that index too. Each of an execution's five lines paid for it.
DROP INDEX ix_task_runs_running_task;
DROP INDEX uq_task_run_logs_line;
