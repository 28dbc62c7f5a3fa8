-- A tenant's task deleted at or after :since, to restore in the transaction that follows.
-- PostgreSQL: a concurrent restore of the same task waits here instead of racing the version.
SELECT id, version, is_active FROM scheduled_tasks
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NOT NULL AND deleted_at >= :since
FOR UPDATE
