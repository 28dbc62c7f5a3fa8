-- Bounded storage (the same statements on both databases but for how the backfill counts a
-- text's bytes).

-- Bytes of a run's stored log: each line's UTF-8 bytes plus one for its line end. The
-- statements that write or prune log lines keep it, so a tenant's stored log bytes are a sum
-- over its runs' rows (an index-only scan of the index below), never a scan of the lines.
ALTER TABLE task_runs ADD COLUMN log_bytes BIGINT NOT NULL DEFAULT 0;
-- When the per-tenant log budget pruned the run's log (NULL: never).
ALTER TABLE task_runs ADD COLUMN logs_pruned_at BIGINT;

UPDATE task_runs SET log_bytes = (
    SELECT COALESCE(SUM(LENGTH(CAST(l.line AS BLOB)) + 1), 0)
    FROM task_run_logs l WHERE l.run_id = task_runs.id
)
WHERE id IN (SELECT run_id FROM task_run_logs);

-- A tenant's stored log bytes, and its finished runs with a log oldest first (what the budget
-- prunes first).
CREATE INDEX ix_task_runs_tenant_logs ON task_runs (tenant_id, finished_at, id, log_bytes) WHERE log_bytes > 0;
