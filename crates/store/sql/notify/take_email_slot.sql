-- Takes one of the tenant's emails of the hour starting :hour: a row back while fewer than
-- :cap were taken, nothing once the cap is reached. On PostgreSQL a second node taking one at
-- the same time waits for the first's row and then counts on from its number.
INSERT INTO notify_email_counts (tenant_id, hour_start, sent)
VALUES (:tenant, :hour, 1)
ON CONFLICT (tenant_id, hour_start) DO UPDATE SET sent = notify_email_counts.sent + 1
WHERE notify_email_counts.sent < :cap
RETURNING sent
