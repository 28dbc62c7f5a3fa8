-- One audit entry.
INSERT INTO audit_log (tenant_id, task_id, action, actor, at, version, detail)
VALUES (:tenant, :task_id, :action, :actor, :at, :version, :detail)
