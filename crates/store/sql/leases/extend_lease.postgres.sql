-- Extends the lease of one run this node is executing, and tells whether somebody asked to
-- cancel it; no row: the lease was lost, or another transaction holds the row (leases/
-- lease_held.sql tells which). Only the attempts the node is executing are renewed, so a run
-- whose outcome could not be recorded is rescued once its lease expires.
-- PostgreSQL: a row another transaction holds (the finisher ending the run, a cancellation)
-- is skipped, not waited for. Waiting, the heartbeat's transaction held the rows it had
-- renewed while the finisher's batch, locking in its plan's order, waited for them: a
-- deadlock PostgreSQL breaks only after its deadlock timeout, a second without outcomes.
UPDATE task_runs SET lease_expires_at = :until
WHERE id = (
    SELECT id FROM task_runs
    WHERE uuid = :run AND lease_owner = :owner AND status = 'running'
    FOR UPDATE SKIP LOCKED
)
RETURNING cancel_requested
