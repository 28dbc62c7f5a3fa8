-- The live task of a tenant to change, for the write that follows in the same transaction.
-- SQLite: `BEGIN IMMEDIATE` already holds the database's only write lock, so no row lock.
SELECT id, version, is_active FROM scheduled_tasks
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
