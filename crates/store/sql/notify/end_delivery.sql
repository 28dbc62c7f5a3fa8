-- Records an attempt of a delivery this node holds: delivered, failed for good, or pending
-- again at :retry_at.
UPDATE notify_deliveries SET
    status = :status,
    next_attempt_at = COALESCE(:retry_at, next_attempt_at),
    response_code = :response_code,
    response = :response,
    error = :error,
    lease_owner = NULL,
    lease_expires_at = NULL,
    finished_at = CASE WHEN :status = 'pending' THEN NULL ELSE :now END
WHERE uuid = :uuid AND lease_owner = :owner AND status = 'sending'
