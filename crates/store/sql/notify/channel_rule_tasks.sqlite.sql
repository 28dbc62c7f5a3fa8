-- The tasks (deleted ones too: a restore brings their rules back) with rules routing to a
-- channel being deleted, to audit what each loses. SQLite: `BEGIN IMMEDIATE` already holds
-- the database's only write lock, so no row lock.
SELECT t.id, t.version, t.is_active FROM scheduled_tasks t
WHERE t.tenant_id = :tenant
  AND t.id IN (SELECT r.task_id FROM notify_rules r WHERE r.channel_id = :channel_id)
ORDER BY t.uuid
