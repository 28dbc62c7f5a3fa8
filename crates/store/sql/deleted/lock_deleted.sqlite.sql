-- A tenant's task deleted at or after :since, to restore in the transaction that follows.
-- SQLite: `BEGIN IMMEDIATE` already holds the database's only write lock, so no row lock.
SELECT id, version, is_active FROM scheduled_tasks
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NOT NULL AND deleted_at >= :since
