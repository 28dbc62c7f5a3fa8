-- Chained runs of runs that just ended for good, in the transaction that recorded their
-- outcome: one per parent run and link whose outcome matches the run's status. A stopped child
-- gets a skipped run (reason `stopped`) instead. The unique key (parent run, child task) keeps
-- it to one whatever else records the same outcome; the text differs from the other dialect
-- only in reading max_retries out of the child's retry policy.
-- VALUES columns: 1 parent run id, 2 link slot, 3 new run uuid, 4 parent context (JSON).
INSERT INTO task_runs (
    uuid, tenant_id, task_id, task_version, trigger, scheduled_for, occurrences, status,
    skip_reason, attempt, max_attempts, not_before, queued_at, finished_at, error,
    parent_run_id, parent
)
SELECT v.column3, t.tenant_id, t.id, t.version, 'chain', :now, 1,
       CASE WHEN t.is_active THEN 'queued' ELSE 'skipped' END,
       CASE WHEN t.is_active THEN NULL ELSE 'stopped' END,
       1, CAST(json_extract(t.retry_policy, '$.max_retries') AS INTEGER) + 1, :now, :now,
       CASE WHEN t.is_active THEN NULL ELSE :now END,
       CASE WHEN t.is_active THEN NULL ELSE 'skipped: stopped' END,
       p.id, v.column4
FROM (VALUES {rows: (:run_id, :slot, :uuid, :parent)}) v
JOIN task_runs p ON p.id = v.column1
JOIN task_chains c ON c.parent_task_id = p.task_id AND c.slot = v.column2
JOIN scheduled_tasks t ON t.id = c.child_task_id AND t.tenant_id = p.tenant_id
WHERE t.deleted_at IS NULL
  AND (c.on_outcome = 'completion'
       OR (c.on_outcome = 'success' AND p.status = 'succeeded')
       OR (c.on_outcome = 'failure' AND p.status IN ('failed', 'timed_out')))
ON CONFLICT DO NOTHING
RETURNING status
