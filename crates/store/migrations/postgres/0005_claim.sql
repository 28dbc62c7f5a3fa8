-- Claiming walks the tenants that have queued runs and takes each one's earliest due runs, so
-- its cost follows the runs it claims, not the length of the queue (same text on both
-- databases).
CREATE INDEX ix_task_runs_queued_tenant ON task_runs (tenant_id, not_before, id) WHERE status = 'queued';
