-- Keyword search indexed: an FTS5 trigram index over scheduled_tasks.search_text, so a keyword
-- of three characters or more finds its tasks without a pass over the tenant's whole list
-- (src/list.rs). It holds rowids only (external content, detail=none): a LIKE against it reads
-- the candidate rows' search_text from scheduled_tasks to confirm. The triggers keep it in step;
-- search_text only changes on insert and on an edit of the definition, so the engine's frequent
-- updates of other columns never touch it. Soft-deleted rows stay in it: the list filters them.
CREATE VIRTUAL TABLE scheduled_tasks_search USING fts5(
    search_text, content = 'scheduled_tasks', content_rowid = 'id', tokenize = 'trigram', detail = 'none'
);
INSERT INTO scheduled_tasks_search (scheduled_tasks_search) VALUES ('rebuild');

CREATE TRIGGER scheduled_tasks_search_insert AFTER INSERT ON scheduled_tasks BEGIN
    INSERT INTO scheduled_tasks_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER scheduled_tasks_search_update AFTER UPDATE OF search_text ON scheduled_tasks BEGIN
    INSERT INTO scheduled_tasks_search (scheduled_tasks_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO scheduled_tasks_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER scheduled_tasks_search_delete AFTER DELETE ON scheduled_tasks BEGIN
    INSERT INTO scheduled_tasks_search (scheduled_tasks_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;

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
