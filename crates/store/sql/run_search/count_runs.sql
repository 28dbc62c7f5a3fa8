-- How many runs across a tenant's live tasks match the filters of search_runs.sql.
SELECT COUNT(*)
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.tenant_id = :tenant AND t.tenant_id = :tenant AND t.deleted_at IS NULL
  AND (:status IS NULL OR r.status = :status)
  AND r.scheduled_for >= :from AND r.scheduled_for < :to
