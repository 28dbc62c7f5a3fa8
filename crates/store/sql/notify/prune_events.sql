-- Deletes the oldest events that occurred before :before, with their deliveries, once routed
-- and none of their deliveries is still to be sent.
DELETE FROM notify_events WHERE id IN (
    SELECT e.id FROM notify_events e
    WHERE e.occurred_at < :before AND e.routed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM notify_deliveries d
                      WHERE d.event_id = e.id AND d.status IN ('pending', 'sending'))
    ORDER BY e.id
    LIMIT :limit
)
