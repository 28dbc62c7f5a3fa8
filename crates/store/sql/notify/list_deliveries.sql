-- The tenant's newest deliveries, optionally of one task or one run.
SELECT d.uuid, e.uuid AS event_uuid, e.kind, t.uuid AS task_uuid, e.run_uuid,
       c.uuid AS channel_uuid, d.status, d.attempts, d.next_attempt_at, d.response_code, d.response,
       d.error, d.created_at, d.finished_at
FROM notify_deliveries d
JOIN notify_events e ON e.id = d.event_id
JOIN scheduled_tasks t ON t.id = e.task_id
JOIN notify_channels c ON c.id = d.channel_id
WHERE d.tenant_id = :tenant
  AND (:task IS NULL OR t.uuid = :task)
  AND (:run IS NULL OR e.run_uuid = :run)
ORDER BY d.id DESC
LIMIT :limit
