-- Deletes a live channel of the tenant; its deliveries keep naming it.
UPDATE notify_channels SET deleted_at = :at, updated_at = :at
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
RETURNING id
