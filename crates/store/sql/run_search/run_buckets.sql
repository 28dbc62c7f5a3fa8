-- A tenant's runs over [:from, :to) per bucket of :width milliseconds (numbered from 0 at
-- :from, by scheduled_for) and state: how many (a collapsed row of skipped occurrences counts
-- as many as it holds) and their durations' sum, count and maximum.
SELECT (r.scheduled_for - :from) / :width AS bucket, r.status,
       CAST(SUM(CASE WHEN r.status = 'skipped' THEN r.occurrences ELSE 1 END) AS BIGINT) AS runs,
       CAST(COALESCE(SUM(r.duration_ms), 0) AS BIGINT) AS duration_sum,
       CAST(COUNT(r.duration_ms) AS BIGINT) AS durations,
       MAX(r.duration_ms) AS duration_max
FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id
WHERE r.tenant_id = :tenant AND t.tenant_id = :tenant AND t.deleted_at IS NULL
  AND (:task_id IS NULL OR r.task_id = :task_id)
  AND r.scheduled_for >= :from AND r.scheduled_for < :to
GROUP BY 1, 2
ORDER BY 1, 2
