-- Whether any delivery is due now, or held by a sender whose lease expired (a read, so an idle
-- notifier takes no write lock).
SELECT id FROM notify_deliveries
WHERE (status = 'pending' AND next_attempt_at <= :now)
   OR (status = 'sending' AND lease_expires_at <= :now)
LIMIT 1
