-- Before tasks are deleted: the live tasks chaining to them, locked in the order of their ids
-- (chains::lock_parents_of says why).
SELECT p.id FROM scheduled_tasks p
WHERE p.id IN (
    SELECT c.parent_task_id FROM task_chains c
    JOIN scheduled_tasks t ON t.id = c.child_task_id
    WHERE t.tenant_id = :tenant AND t.deleted_at IS NULL
      AND t.uuid IN (SELECT v.column1 FROM (VALUES {rows: (:uuid)}) v)
)
ORDER BY p.id
FOR UPDATE OF p
