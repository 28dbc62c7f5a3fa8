-- Every link of a tenant (parent, child), for the cycle check of a save.
SELECT parent_task_id, child_task_id FROM task_chains WHERE tenant_id = :tenant
