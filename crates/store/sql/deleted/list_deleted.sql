-- A page of a tenant's tasks deleted at or after :since, the most recently deleted first.
SELECT {task_columns}, deleted_at FROM scheduled_tasks
WHERE tenant_id = :tenant AND deleted_at IS NOT NULL AND deleted_at >= :since
ORDER BY deleted_at DESC, id DESC
LIMIT :limit OFFSET :offset
