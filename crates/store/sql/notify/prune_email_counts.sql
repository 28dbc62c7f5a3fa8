-- Forgets the tenant's counts of hours before :hour: only the current one is ever read.
DELETE FROM notify_email_counts WHERE tenant_id = :tenant AND hour_start < :hour
