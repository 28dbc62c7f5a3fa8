-- Replaces the definition of a locked task (parameters bound by `rows::bind_definition`).
-- The version guard is redundant under the lock and kept as a tripwire. An edit clears the
-- schedule notice: the definition it was about is gone.
UPDATE scheduled_tasks SET
    name = :name, code = :code, description = :description, type = :type,
    trigger_type = :trigger_type, trigger_config = :trigger_config, task_config = :task_config,
    is_active = :is_active, timezone = :timezone, retry_policy = :retry_policy,
    timeout_seconds = :timeout_seconds, overlap_policy = :overlap_policy,
    misfire_policy = :misfire_policy, misfire_grace_seconds = :misfire_grace_seconds,
    start_at = :start_at, end_at = :end_at, jitter_seconds = :jitter_seconds,
    search_text = :search_text,
    next_run_at = :next_run_at, updated_at = :at, updated_by = :actor,
    version = version + 1, schedule_notice = NULL
WHERE id = :id AND version = :version
