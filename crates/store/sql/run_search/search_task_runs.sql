-- search_runs.sql for one live task, its id found among the tenant's live tasks first. The
-- tenant is checked on the task, not the run, so that ix_task_runs_task_newest is the only
-- index that fits: a task with few runs in a tenant with many is read directly.
SELECT {run_columns}, t.code AS task_code, t.name AS task_name
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.task_id = :task_id AND t.tenant_id = :tenant
  AND (:status IS NULL OR r.status = :status)
  AND r.scheduled_for >= :from AND r.scheduled_for < :to
ORDER BY r.scheduled_for DESC, r.id DESC
LIMIT :limit OFFSET :offset
