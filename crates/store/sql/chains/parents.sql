-- The live tasks that chain to a task, by code.
SELECT t.uuid, t.code, t.name, t.is_active, c.on_outcome
FROM task_chains c JOIN scheduled_tasks t ON t.id = c.parent_task_id
WHERE c.child_task_id = :task_id AND t.deleted_at IS NULL
ORDER BY t.code
