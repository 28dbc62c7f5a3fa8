-- Runs across a tenant's tasks (same text on both databases).

-- GET /runs and GET /stats read a tenant's runs newest occurrence first or over a time range,
-- whatever task they belong to; without this they would scan every tenant's runs.
CREATE INDEX ix_task_runs_tenant_newest ON task_runs (tenant_id, scheduled_for DESC, id DESC);
