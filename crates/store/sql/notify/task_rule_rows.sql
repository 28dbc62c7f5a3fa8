-- One task's own rules with their channel, oldest first (a replace compares them; an audit
-- entry names the channels).
SELECT r.id, r.channel_id, c.uuid AS channel_uuid, c.name AS channel_name, r.event,
       r.threshold, r.throttle_seconds
FROM notify_rules r
JOIN notify_channels c ON c.id = r.channel_id
WHERE r.task_id = :task_id
ORDER BY r.id
