-- How many of each listed task's runs are queued and running; a task with neither has no row.
SELECT task_id,
       CAST(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS BIGINT),
       CAST(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS BIGINT)
FROM task_runs
WHERE status IN ('queued', 'running')
  AND task_id IN (VALUES {rows: (:task_id)})
GROUP BY task_id
