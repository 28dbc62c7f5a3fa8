-- Events of runs that just ended (the finisher's batch: a final failure, a success after a
-- failure), recorded only for tasks some rule of their tenant might route them for.
-- VALUES columns: 1 event uuid, 2 run id, 3 kind, 4 payload.
INSERT INTO notify_events (uuid, tenant_id, task_id, run_uuid, kind, payload, occurred_at)
SELECT v.column1, r.tenant_id, r.task_id, r.uuid, v.column3, v.column4, :now
FROM (VALUES {rows: (:uuid, :run_id, :kind, :payload)}) v
JOIN task_runs r ON r.id = v.column2
WHERE EXISTS (SELECT 1 FROM notify_rules n
              WHERE n.tenant_id = r.tenant_id AND n.event = v.column3
                AND (n.task_id = r.task_id OR n.task_id IS NULL))
ON CONFLICT (run_uuid, kind) WHERE run_uuid IS NOT NULL DO NOTHING
