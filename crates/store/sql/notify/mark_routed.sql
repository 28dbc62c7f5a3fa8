-- The event has been matched to the rules.
UPDATE notify_events SET routed_at = :now, payload = :payload WHERE id = :id
