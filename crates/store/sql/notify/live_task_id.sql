-- The internal id of a live task of the tenant.
SELECT id FROM scheduled_tasks WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
