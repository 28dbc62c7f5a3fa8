-- Adds a deadline to a task, or moves one it already has (same key) to :position; a deadline
-- saved again keeps its `since` and state.
INSERT INTO task_deadlines (tenant_id, task_id, position, deadline_key, spec, since)
VALUES (:tenant, :task_id, :position, :key, :spec, :now)
ON CONFLICT (task_id, deadline_key) DO UPDATE SET position = excluded.position
