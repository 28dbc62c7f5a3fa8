-- Queued runs whose start time has come: one range of the index of queued runs
-- (ix_task_runs_queued), never a read of the runs themselves.
SELECT COUNT(*) FROM task_runs
WHERE status = 'queued' AND not_before <= :now
