-- The internal id of a live task of a tenant, by its code.
SELECT id FROM scheduled_tasks WHERE tenant_id = :tenant AND code = :code AND deleted_at IS NULL
