-- Events the dispatcher has not matched to rules yet, oldest first.
SELECT e.id, e.tenant_id, e.task_id, e.kind, e.payload, e.occurred_at
FROM notify_events e
WHERE e.routed_at IS NULL
ORDER BY e.id
LIMIT :limit
