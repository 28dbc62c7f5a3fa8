-- The tenant's rules for one task (:task_id), or its defaults (:task_id NULL), oldest first.
SELECT r.uuid, t.uuid AS task_uuid, c.uuid AS channel_uuid, r.event, r.threshold,
       r.throttle_seconds, r.created_at, r.created_by
FROM notify_rules r
JOIN notify_channels c ON c.id = r.channel_id
LEFT JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.tenant_id = :tenant
  AND ((:task_id IS NULL AND r.task_id IS NULL) OR r.task_id = :task_id)
ORDER BY r.id
