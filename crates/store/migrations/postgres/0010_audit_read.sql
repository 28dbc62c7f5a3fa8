-- `GET /audit` filtered by actor: the tenant's entries of one actor, newest first, found by an
-- index seek instead of a walk over every entry of the tenant.
CREATE INDEX ix_audit_log_tenant_actor ON audit_log (tenant_id, actor, at);
