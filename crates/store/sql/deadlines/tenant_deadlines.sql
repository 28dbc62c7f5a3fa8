-- Every deadline of the tenant's live tasks, each task's in the order given (export, apply).
SELECT t.uuid, d.spec
FROM task_deadlines d JOIN scheduled_tasks t ON t.id = d.task_id
WHERE d.tenant_id = :tenant AND t.deleted_at IS NULL
ORDER BY d.task_id, d.position
