-- How many of a tenant's tasks were deleted at or after :since.
SELECT COUNT(*) FROM scheduled_tasks
WHERE tenant_id = :tenant AND deleted_at IS NOT NULL AND deleted_at >= :since
