-- Flags a live task unless it changed since it was read (:version): keeps a notice it already
-- has, and moves its next occurrence. Neither is an edit, so the version and `updated_at` stay.
UPDATE scheduled_tasks SET
    schedule_notice = COALESCE(schedule_notice, :notice), next_run_at = :next_run_at
WHERE tenant_id = :tenant AND uuid = :uuid AND version = :version AND deleted_at IS NULL
