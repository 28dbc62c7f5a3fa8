-- Advances fired tasks to their next occurrence; a task with none is finished and stops
-- being active. VALUES columns: 1 task id, 2 next occurrence, 3 whether there is one.
UPDATE scheduled_tasks SET
    next_run_at = v.column2,
    is_active = (is_active AND v.column3)
FROM (VALUES {rows: (:task_id, :next_run_at, :has_next)}) v
WHERE scheduled_tasks.id = v.column1
