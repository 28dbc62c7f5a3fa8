-- Makes a locked deleted task live again, stopped: it fires only once someone starts it. The
-- per-tenant unique index on live codes refuses it when a live task has taken its code.
UPDATE scheduled_tasks SET
    deleted_at = NULL, is_active = FALSE, next_run_at = NULL, updated_at = :at,
    updated_by = :actor, version = version + 1
WHERE id = :id AND version = :version
