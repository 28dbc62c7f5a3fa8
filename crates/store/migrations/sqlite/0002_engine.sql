-- The engine's run state beyond 0001 (same text on both databases).

-- A cancellation asked for while the run was running: the worker holding the lease sees it at
-- its next heartbeat and cancels the attempt; the run then ends `cancelled`, never retried.
ALTER TABLE task_runs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;

-- The overlap policy asks, per due task, how many of its runs are queued or running; without
-- this the question would scan the task's whole history.
CREATE INDEX ix_task_runs_task_live ON task_runs (task_id, status) WHERE status IN ('queued', 'running');
