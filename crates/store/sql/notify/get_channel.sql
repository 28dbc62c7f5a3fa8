-- One live channel of the tenant.
SELECT uuid, name, kind, config, previous_secret_until, created_at, created_by, updated_at
FROM notify_channels
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
