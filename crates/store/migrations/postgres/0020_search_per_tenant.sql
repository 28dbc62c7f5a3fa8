-- Keyword search per tenant: one GIN index over (tenant_id, search_text trigrams), with the
-- btree_gin extension giving GIN an operator class for tenant_id. 0017's index holds trigrams
-- only, so a keyword common to every tenant ("billing" in a tenth of a million tasks) had it
-- return every tenant's matches and read all their rows before the tenant filter: 870 ms to
-- count a big tenant's 10,000 matches, against ~30 ms with the tenant in the index (W3,
-- bench/README.md). btree_gin is, like pg_trgm, a trusted contrib extension (PostgreSQL 13+).
-- Where it cannot be created 0017's index stays; docs/operations.md says how to add this later.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS btree_gin;
    EXCEPTION
        WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
            RAISE NOTICE 'btree_gin is not available (%): keyword search is indexed across tenants', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin')
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX IF NOT EXISTS ix_scheduled_tasks_tenant_search_trgm ON scheduled_tasks '
            'USING gin (tenant_id, search_text gin_trgm_ops) WHERE deleted_at IS NULL';
        EXECUTE 'DROP INDEX IF EXISTS ix_scheduled_tasks_search_trgm';
    END IF;
END
$$;
