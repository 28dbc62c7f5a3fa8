-- The runs running now, by tenant and by task. Every claim counts each tenant's running runs,
-- and the overlap check, the claim's marking of tasks and each recorded outcome look for a
-- task's running run. Without these, SQLite answered them by walking every run of the tenant
-- (through ix_task_runs_tenant_newest) or of the task (through ix_task_runs_task_newest):
-- a cost that grew with the ledger, not with what is running.
CREATE INDEX ix_task_runs_running_tenant ON task_runs (tenant_id) WHERE status = 'running';
CREATE INDEX ix_task_runs_running_task ON task_runs (task_id) WHERE status = 'running';
