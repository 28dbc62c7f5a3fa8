-- The events recorded about one task of the tenant, newest first.
SELECT e.uuid, t.uuid AS task_uuid, e.run_uuid, e.kind, e.payload, e.occurred_at, e.routed_at
FROM notify_events e
JOIN scheduled_tasks t ON t.id = e.task_id
WHERE e.tenant_id = :tenant AND t.uuid = :task
ORDER BY e.id DESC
LIMIT :limit
