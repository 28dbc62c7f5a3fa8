-- One live task of a tenant.
SELECT {task_columns} FROM scheduled_tasks
WHERE tenant_id = :tenant AND uuid = :uuid AND deleted_at IS NULL
