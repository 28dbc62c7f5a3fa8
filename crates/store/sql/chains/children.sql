-- The tasks a task chains to, in link order.
SELECT t.uuid, t.code, t.name, t.is_active, c.on_outcome
FROM task_chains c JOIN scheduled_tasks t ON t.id = c.child_task_id
WHERE c.parent_task_id = :task_id AND t.deleted_at IS NULL
ORDER BY c.slot
