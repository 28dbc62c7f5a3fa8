-- Every rule of the tenant's live tasks (not its defaults) with its channel's name, each
-- task's oldest first (export, apply).
SELECT t.uuid AS task_uuid, c.uuid AS channel_uuid, c.name AS channel_name, r.event,
       r.threshold, r.throttle_seconds
FROM notify_rules r
JOIN notify_channels c ON c.id = r.channel_id
JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.tenant_id = :tenant AND t.deleted_at IS NULL
ORDER BY r.task_id, r.id
