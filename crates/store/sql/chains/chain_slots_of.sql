-- The tasks among these that have links, with their uuid (a rescue that gave up on a run).
SELECT id, uuid, chain_slots FROM scheduled_tasks
WHERE id IN (VALUES {rows: (CAST(:task_id AS BIGINT))}) AND chain_slots > 0
