-- Deletes a rule of the tenant.
DELETE FROM notify_rules WHERE tenant_id = :tenant AND uuid = :uuid
