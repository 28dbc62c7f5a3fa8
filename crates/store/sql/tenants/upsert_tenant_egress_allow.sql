-- Sets a tenant's egress allow-list, creating its settings row if needed (SQLite 3.24+ and
-- PostgreSQL share `ON CONFLICT … DO UPDATE`).
INSERT INTO tenant_settings (tenant_id, egress_allow, updated_at, updated_by)
VALUES (:tenant, :egress_allow, :at, :actor)
ON CONFLICT (tenant_id) DO UPDATE SET
    egress_allow = excluded.egress_allow,
    updated_at = excluded.updated_at,
    updated_by = excluded.updated_by
RETURNING egress_allow, updated_at, updated_by
