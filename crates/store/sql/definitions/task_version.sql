-- One version of a task's history.
SELECT version, action, actor, at, definition FROM task_versions
WHERE task_id = :task_id AND version = :version
