-- Whether this node still holds a run's lease, as last committed (no lock: the heartbeat asks
-- only about the rows it skipped because another transaction held them).
SELECT cancel_requested FROM task_runs
WHERE uuid = :run AND lease_owner = :owner AND status = 'running'
