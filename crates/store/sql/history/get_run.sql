-- One run of a tenant whose task is live.
SELECT {run_columns}
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.uuid = :uuid AND r.tenant_id = :tenant AND t.tenant_id = :tenant
  AND t.deleted_at IS NULL
