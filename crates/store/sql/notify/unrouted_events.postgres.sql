-- Events the dispatcher has not matched to rules yet, oldest first; another node routing at
-- the same time takes the others.
SELECT e.id, e.tenant_id, e.task_id, e.kind, e.payload, e.occurred_at
FROM notify_events e
WHERE e.routed_at IS NULL
ORDER BY e.id
LIMIT :limit
FOR UPDATE SKIP LOCKED
