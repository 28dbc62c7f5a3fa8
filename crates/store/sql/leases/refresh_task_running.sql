-- The task's state after one of its runs stopped running elsewhere than through an outcome:
-- running while any run is.
UPDATE scheduled_tasks SET
    is_running = EXISTS (SELECT 1 FROM task_runs WHERE task_id = :task_id AND status = 'running')
WHERE id = :task_id
