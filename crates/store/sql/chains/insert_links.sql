-- A task's links, numbered from 1 in `slot`.
-- VALUES columns: 1 child task id, 2 slot, 3 on.
INSERT INTO task_chains (tenant_id, parent_task_id, child_task_id, slot, on_outcome, created_at)
SELECT :tenant, :task_id, v.column1, v.column2, v.column3, :now
FROM (VALUES {rows: (:child_id, :slot, :on_outcome)}) v
