-- Records an event in the outbox for the dispatcher, about a task of the tenant (deleted or
-- not: an event about the last run of a task deleted meanwhile is still worth telling).
INSERT INTO notify_events (uuid, tenant_id, task_id, run_uuid, kind, payload, occurred_at)
SELECT :uuid, t.tenant_id, t.id, :run, :kind, :payload, :occurred_at
FROM scheduled_tasks t
WHERE t.tenant_id = :tenant AND t.uuid = :task
ON CONFLICT (run_uuid, kind) WHERE run_uuid IS NOT NULL DO NOTHING
