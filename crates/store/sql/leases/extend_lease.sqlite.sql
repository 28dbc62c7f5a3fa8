-- Extends the lease of one run this node is executing, and tells whether somebody asked to
-- cancel it; no row: the lease was lost. Only the attempts the node is executing are renewed,
-- so a run whose outcome could not be recorded is rescued once its lease expires.
UPDATE task_runs SET lease_expires_at = :until
WHERE uuid = :run AND lease_owner = :owner AND status = 'running'
RETURNING cancel_requested
