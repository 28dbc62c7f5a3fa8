-- Locks the tasks of the runs this node just claimed in id order, before
-- claiming/mark_claimed_tasks.sql changes them. The update alone locks them in whatever order
-- its plan visits them, and two nodes claiming runs of the same tasks then deadlock.
SELECT id FROM scheduled_tasks
WHERE id IN (VALUES {rows: (CAST(:id AS BIGINT))})
ORDER BY id
FOR UPDATE
