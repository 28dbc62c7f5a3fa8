-- Starts or stops a locked task.
UPDATE scheduled_tasks SET
    is_active = :active, next_run_at = :next_run_at, updated_at = :at, updated_by = :actor,
    version = version + 1
WHERE id = :id AND version = :version
