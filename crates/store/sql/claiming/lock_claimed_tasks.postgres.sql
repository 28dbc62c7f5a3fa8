-- Locks the tasks of the runs this node just claimed in id order, before
-- claiming/mark_claimed_tasks.sql changes them. The update alone locks them in whatever order
-- its plan visits them, and two nodes claiming runs of the same tasks then deadlock.
SELECT id FROM scheduled_tasks
WHERE id IN (
    SELECT task_id FROM task_runs
    WHERE status = 'running' AND lease_owner = :owner AND started_at = :now
)
ORDER BY id
FOR UPDATE
