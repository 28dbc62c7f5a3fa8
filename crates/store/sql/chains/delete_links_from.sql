-- Removes a task's links to its children (a save replaces them all).
DELETE FROM task_chains WHERE parent_task_id = :task_id
