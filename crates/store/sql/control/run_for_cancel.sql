-- A run of a live task of the tenant, with what a cancellation needs.
SELECT r.id, r.task_id, t.version, r.status
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.uuid = :uuid AND r.tenant_id = :tenant AND t.tenant_id = :tenant
  AND t.deleted_at IS NULL
