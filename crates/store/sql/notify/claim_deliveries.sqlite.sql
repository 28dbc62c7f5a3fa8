-- Takes deliveries due now (and those whose sender's lease expired) for this node to send.
UPDATE notify_deliveries SET
    status = 'sending', lease_owner = :owner, lease_expires_at = :lease_until,
    attempts = attempts + 1
WHERE id IN (
    SELECT id FROM notify_deliveries
    WHERE (status = 'pending' AND next_attempt_at <= :now)
       OR (status = 'sending' AND lease_expires_at <= :now)
    ORDER BY next_attempt_at, id
    LIMIT :limit
)
RETURNING id
