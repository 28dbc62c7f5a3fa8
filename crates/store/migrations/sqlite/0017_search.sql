-- Keyword search on SQLite stays the scan of the tenant's list-order index, which carries
-- search_text (0001): an FTS5 trigram table was measured (W3, bench/README.md) and lost. It
-- cannot be limited to one tenant, so a keyword common across all tenants made it confirm a
-- hundred thousand rows per query (1.3-2.2 s at a million tasks) where the tenant's index scan
-- takes ~40 ms for 100,000 tasks. PostgreSQL's pg_trgm index is in its 0017.

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
