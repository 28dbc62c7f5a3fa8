-- A new task at version 1. The definition's parameters are bound by `rows::bind_definition`.
INSERT INTO scheduled_tasks (
    uuid, tenant_id,
    name, code, description, type, trigger_type, trigger_config, task_config, is_active,
    timezone, retry_policy, timeout_seconds, overlap_policy, misfire_policy,
    misfire_grace_seconds, start_at, end_at, jitter_seconds, search_text,
    inngest_function_id, created_at, updated_at, next_run_at, created_by, updated_by,
    version
) VALUES (
    :uuid, :tenant,
    :name, :code, :description, :type, :trigger_type, :trigger_config, :task_config, :is_active,
    :timezone, :retry_policy, :timeout_seconds, :overlap_policy, :misfire_policy,
    :misfire_grace_seconds, :start_at, :end_at, :jitter_seconds, :search_text,
    :function_id, :at, :at, :next_run_at, :actor, :actor,
    1
)
RETURNING id
