-- The tenant's live channels, oldest first.
SELECT uuid, name, kind, config, previous_secret_until, created_at, created_by, updated_at
FROM notify_channels
WHERE tenant_id = :tenant AND deleted_at IS NULL
ORDER BY id
