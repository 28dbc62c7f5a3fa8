-- A page (by id, after :after) of the deadlines of live tasks, with whether each task is
-- active and its latest success at or before :now.
SELECT d.id, d.tenant_id, d.task_id, t.uuid, t.is_active, d.deadline_key, d.spec, d.since,
    d.checked_through,
    (SELECT MAX(r.finished_at) FROM task_runs r
     WHERE r.task_id = d.task_id AND r.status = 'succeeded' AND r.finished_at <= :now)
        AS last_success_at
FROM task_deadlines d
JOIN scheduled_tasks t ON t.id = d.task_id
WHERE d.id > :after AND t.deleted_at IS NULL
ORDER BY d.id
LIMIT :limit
