-- A task's runs per state; a collapsed row of skipped occurrences counts as many as it holds.
SELECT status, CAST(SUM(CASE WHEN status = 'skipped' THEN occurrences ELSE 1 END) AS BIGINT)
FROM task_runs WHERE task_id = :task_id
GROUP BY status
