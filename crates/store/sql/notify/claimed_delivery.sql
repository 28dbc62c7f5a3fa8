-- What sending a claimed delivery needs: the event, its task and the channel with its keys.
SELECT d.id, d.uuid, d.tenant_id, d.attempts, e.uuid AS event_uuid, e.kind, e.payload,
       e.occurred_at, e.run_uuid, t.uuid AS task_uuid, t.code AS task_code,
       t.name AS task_name, c.kind AS channel_kind, c.config AS channel_config,
       c.secret, c.previous_secret, c.previous_secret_until, c.deleted_at AS channel_deleted_at
FROM notify_deliveries d
JOIN notify_events e ON e.id = d.event_id
JOIN scheduled_tasks t ON t.id = e.task_id
JOIN notify_channels c ON c.id = d.channel_id
WHERE d.id = :id
