-- A delivery of an event to a channel, due at once (one per event and channel).
INSERT INTO notify_deliveries (uuid, tenant_id, event_id, channel_id, rule_id, status, next_attempt_at, created_at)
VALUES (:uuid, :tenant, :event_id, :channel_id, :rule_id, 'pending', :now, :now)
ON CONFLICT (event_id, channel_id) DO NOTHING
