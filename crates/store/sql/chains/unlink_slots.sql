-- Before a task's links go with it (deleted): the highest slot each task chaining to it keeps,
-- and none for the task itself.
UPDATE scheduled_tasks SET chain_slots = CASE WHEN id = :task_id THEN 0 ELSE COALESCE((
    SELECT MAX(c.slot) FROM task_chains c
    WHERE c.parent_task_id = scheduled_tasks.id AND c.child_task_id <> :task_id
), 0) END
WHERE id = :task_id OR id IN (SELECT parent_task_id FROM task_chains WHERE child_task_id = :task_id)
