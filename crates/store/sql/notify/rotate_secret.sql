-- A new signing key; the current one stays valid as the previous one until :until.
UPDATE notify_channels SET
    previous_secret = secret,
    previous_secret_until = :until,
    secret = :secret,
    updated_at = :at
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL AND kind = 'webhook'
