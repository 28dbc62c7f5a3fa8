-- One page of a task's version history, newest first.
SELECT version, action, actor, at, definition FROM task_versions
WHERE task_id = :task_id
ORDER BY version DESC LIMIT :limit OFFSET :offset
