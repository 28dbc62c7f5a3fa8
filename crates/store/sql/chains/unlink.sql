-- A deleted task's links, to it and from it.
DELETE FROM task_chains WHERE parent_task_id = :task_id OR child_task_id = :task_id
