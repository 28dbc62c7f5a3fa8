-- Size of a task's version history.
SELECT COUNT(*) FROM task_versions WHERE task_id = :task_id
