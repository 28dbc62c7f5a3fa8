-- A new channel of the tenant.
INSERT INTO notify_channels (uuid, tenant_id, name, kind, config, secret, created_at, created_by, updated_at)
VALUES (:uuid, :tenant, :name, :kind, :config, :secret, :at, :actor, :at)
