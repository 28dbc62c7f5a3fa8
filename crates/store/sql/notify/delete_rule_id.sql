-- Deletes one of a task's rules that a replace does not keep.
DELETE FROM notify_rules WHERE id = :id AND task_id = :task_id
