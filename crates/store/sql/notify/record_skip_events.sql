-- Events of occurrences a firing batch recorded as skipped, only for the skip rows whose
-- tenant has an occurrence.skipped rule for their task or a default (the insert of the rows
-- said which).
-- VALUES columns: 1 event uuid, 2 run uuid, 3 payload.
INSERT INTO notify_events (uuid, tenant_id, task_id, run_uuid, kind, payload, occurred_at)
SELECT v.column1, r.tenant_id, r.task_id, r.uuid, 'occurrence.skipped', v.column3, :now
FROM (VALUES {rows: (:uuid, :run, :payload)}) v
JOIN task_runs r ON r.uuid = v.column2
WHERE r.status = 'skipped'
ON CONFLICT (run_uuid, kind) WHERE run_uuid IS NOT NULL DO NOTHING
