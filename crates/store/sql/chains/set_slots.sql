-- The highest link slot of a task, which recording its runs' outcomes reads (0: no links).
UPDATE scheduled_tasks SET chain_slots = :slots WHERE id = :task_id
