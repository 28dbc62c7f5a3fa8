-- The live task of a tenant to change, for the write that follows in the same transaction.
-- PostgreSQL: concurrent writers of the same task queue here instead of racing the version.
SELECT id, version, is_active FROM scheduled_tasks
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
FOR UPDATE
