-- The task a rule of the tenant is for (NULL for a tenant default), before it is deleted.
SELECT task_id FROM notify_rules WHERE tenant_id = :tenant AND uuid = :uuid
