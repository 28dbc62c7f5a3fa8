-- Keyword search indexed: a pg_trgm GIN index over scheduled_tasks.search_text, which serves
-- the list's `search_text LIKE '%keyword%'` for keywords of three characters or more
-- (src/list.rs). Creating the extension needs the CREATE privilege on the database (PostgreSQL
-- 13+: pg_trgm is a trusted extension) and the contrib package on the server. Where either is
-- missing the migration still succeeds without the index, and keyword search scans the
-- tenant's tasks as before; docs/operations.md says how to add the index later.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION
        WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
            RAISE NOTICE 'pg_trgm is not available (%): keyword search is not indexed', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX IF NOT EXISTS ix_scheduled_tasks_search_trgm ON scheduled_tasks '
            'USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL';
    END IF;
END
$$;

-- What the last complete schedule notice scan checked every live task against (the rules'
-- version and the largest timeout an edit accepts, see crates/sundial/src/notices.rs). A start
-- whose rules are the same skips the scan, which reads every task: a minute and more at a
-- million tasks. Tasks created or edited since were validated by the same rules.
CREATE TABLE schedule_scan (
    id       BIGINT NOT NULL PRIMARY KEY,
    scan_key TEXT   NOT NULL,
    at       BIGINT NOT NULL
);
INSERT INTO schedule_scan (id, scan_key, at) VALUES (1, '', 0);
