-- Soft-deletes a locked task; its code becomes free (the unique index skips deleted rows).
UPDATE scheduled_tasks SET
    deleted_at = :at, is_active = FALSE, next_run_at = NULL, updated_at = :at,
    updated_by = :actor, version = version + 1
WHERE id = :id AND version = :version
