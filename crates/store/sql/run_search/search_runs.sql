-- A page of the runs across a tenant's live tasks, newest occurrence first, each with its
-- task's code and name. The time range is on scheduled_for (for a run-now, when it was asked),
-- which ix_task_runs_tenant_newest walks in this order, so a page stops after its rows.
SELECT {run_columns}, t.code AS task_code, t.name AS task_name
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.tenant_id = :tenant AND t.tenant_id = :tenant AND t.deleted_at IS NULL
  AND (:status IS NULL OR r.status = :status)
  AND r.scheduled_for >= :from AND r.scheduled_for < :to
ORDER BY r.scheduled_for DESC, r.id DESC
LIMIT :limit OFFSET :offset
