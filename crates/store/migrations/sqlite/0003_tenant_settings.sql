-- Settings a tenant's admin keeps for the whole tenant (same text on both databases). A
-- tenant without a row has the defaults; later settings are added as nullable columns.

CREATE TABLE tenant_settings (
    tenant_id   BIGINT PRIMARY KEY,
    -- The tenant's own egress allow-list in its canonical form (the SUNDIAL_EGRESS_ALLOW
    -- syntax); NULL means none: the deployment's policy alone applies. It can only narrow.
    egress_allow TEXT,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL
);
