-- Every link between the tenant's live tasks: the parent, then the child as `children.sql`
-- reads it, each parent's in link order (export, apply).
SELECT p.uuid AS parent_uuid, t.uuid, t.code, t.name, t.is_active, c.on_outcome
FROM task_chains c
JOIN scheduled_tasks p ON p.id = c.parent_task_id
JOIN scheduled_tasks t ON t.id = c.child_task_id
WHERE c.tenant_id = :tenant AND p.deleted_at IS NULL AND t.deleted_at IS NULL
ORDER BY c.parent_task_id, c.slot
