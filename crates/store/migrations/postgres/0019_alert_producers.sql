-- The producers of run.slow and of deadline-miss retention (issue 18).

-- The maintenance check of slow runs starts from the tenants' run.slow rules: with this index
-- it reads nothing when no tenant has one, and only those rules when some do.
CREATE INDEX ix_notify_rules_event ON notify_rules (event, tenant_id, task_id, threshold);

-- Retention deletes the misses recorded before the run-retention window, oldest first.
CREATE INDEX ix_deadline_misses_recorded ON deadline_misses (recorded_at);
