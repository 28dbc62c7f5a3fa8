-- A task's deadlines in the order they were given, with their state and the task's latest
-- success at or before :now.
SELECT d.id, d.spec, d.since, d.checked_through, d.last_met_at, d.last_missed_at,
    d.missed_count,
    (SELECT MAX(r.finished_at) FROM task_runs r
     WHERE r.task_id = d.task_id AND r.status = 'succeeded' AND r.finished_at <= :now)
        AS last_success_at
FROM task_deadlines d
WHERE d.task_id = :task_id
ORDER BY d.position
