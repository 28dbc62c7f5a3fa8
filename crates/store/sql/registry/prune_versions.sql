-- Keeps a task's newest versions: deletes those older than the (:offset + 1)-th newest, none
-- while it has no more than that.
DELETE FROM task_versions
WHERE task_id = :task_id AND version < (
    SELECT version FROM task_versions WHERE task_id = :task_id
    ORDER BY version DESC LIMIT 1 OFFSET :offset
)
