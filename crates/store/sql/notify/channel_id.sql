-- The internal id of a live channel of the tenant.
SELECT id FROM notify_channels WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
