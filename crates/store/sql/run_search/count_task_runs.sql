-- How many runs of one live task match the filters of search_task_runs.sql (the same index).
SELECT COUNT(*)
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.task_id = :task_id AND t.tenant_id = :tenant
  AND (:status IS NULL OR r.status = :status)
  AND r.scheduled_for >= :from AND r.scheduled_for < :to
