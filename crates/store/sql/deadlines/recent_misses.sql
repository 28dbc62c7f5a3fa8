-- The tenant's most recent deadline misses, newest first.
SELECT m.id, t.uuid, t.code, m.spec, m.due_at, m.missed, m.last_success_at, m.recorded_at
FROM deadline_misses m
JOIN scheduled_tasks t ON t.id = m.task_id
WHERE m.tenant_id = :tenant AND t.deleted_at IS NULL
ORDER BY m.recorded_at DESC, m.id DESC
LIMIT :limit
