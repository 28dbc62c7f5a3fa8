-- The rules an event of :kind about task :task_id matches: the task's own, or the tenant's
-- defaults when the task has no rules of its own; only those routing to a live channel.
SELECT r.id, r.channel_id, r.threshold, r.throttle_seconds
FROM notify_rules r
JOIN notify_channels c ON c.id = r.channel_id AND c.deleted_at IS NULL
WHERE r.tenant_id = :tenant AND r.event = :kind
  AND (r.task_id = :task_id
       OR (r.task_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM notify_rules o WHERE o.tenant_id = :tenant AND o.task_id = :task_id)))
ORDER BY r.id
