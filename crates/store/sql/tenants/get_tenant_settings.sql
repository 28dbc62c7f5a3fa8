-- A tenant's settings row.
SELECT egress_allow, updated_at, updated_by FROM tenant_settings WHERE tenant_id = :tenant
