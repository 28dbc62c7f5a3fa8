-- One entry of a task's version history.
INSERT INTO task_versions (tenant_id, task_id, version, action, actor, at, definition)
VALUES (:tenant, :task_id, :version, :action, :actor, :at, :definition)
