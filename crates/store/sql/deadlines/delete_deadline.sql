-- Removes one of a task's deadlines; its recorded misses stay.
DELETE FROM task_deadlines WHERE id = :id AND task_id = :task_id
