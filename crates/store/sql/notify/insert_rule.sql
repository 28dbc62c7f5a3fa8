-- A rule of the tenant: for one of its tasks (:task_id) or, NULL, a tenant default.
INSERT INTO notify_rules (uuid, tenant_id, task_id, channel_id, event, threshold, throttle_seconds, created_at, created_by)
VALUES (:uuid, :tenant, :task_id, :channel_id, :event, :threshold, :throttle_seconds, :at, :actor)
