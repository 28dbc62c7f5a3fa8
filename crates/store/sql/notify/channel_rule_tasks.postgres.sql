-- The tasks (deleted ones too: a restore brings their rules back) with rules routing to a
-- channel being deleted, to audit what each loses. PostgreSQL: locked in uuid order, as an
-- apply locks the tasks it changes, so the two cannot deadlock; an apply or a rule's create
-- (which lock the task too) cannot change its rules between the audit's before and after.
SELECT t.id, t.version, t.is_active FROM scheduled_tasks t
WHERE t.tenant_id = :tenant
  AND t.id IN (SELECT r.task_id FROM notify_rules r WHERE r.channel_id = :channel_id)
ORDER BY t.uuid
FOR UPDATE
