-- Timestamps are milliseconds since the Unix epoch (UTC) on both databases, so every query
-- text and every bound value is the same on SQLite and PostgreSQL.

CREATE TABLE scheduled_tasks (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  BLOB    NOT NULL UNIQUE,
    tenant_id             BIGINT  NOT NULL,
    name                  TEXT    NOT NULL,
    code                  TEXT    NOT NULL,
    description           TEXT,
    type                  TEXT    NOT NULL,
    trigger_type          TEXT    NOT NULL,
    trigger_config        TEXT    NOT NULL,
    task_config           TEXT    NOT NULL,
    inngest_function_id   TEXT    NOT NULL,
    is_active             BOOLEAN NOT NULL DEFAULT TRUE,
    is_running            BOOLEAN NOT NULL DEFAULT FALSE,
    last_run_at           BIGINT,
    last_run_status       TEXT,
    last_error            TEXT,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    deleted_at            BIGINT,
    next_run_at           BIGINT,
    timezone              TEXT    NOT NULL,
    retry_policy          TEXT    NOT NULL,
    timeout_seconds       BIGINT  NOT NULL,
    overlap_policy        TEXT    NOT NULL,
    misfire_policy        TEXT    NOT NULL,
    misfire_grace_seconds BIGINT  NOT NULL,
    start_at              BIGINT,
    end_at                BIGINT,
    jitter_seconds        BIGINT  NOT NULL DEFAULT 0,
    version               BIGINT  NOT NULL,
    created_by            TEXT    NOT NULL,
    updated_by            TEXT    NOT NULL,
    -- Rust's Unicode to_lowercase(name) || ' ' || to_lowercase(code), for case-insensitive
    -- search with plain LIKE (SQLite's LOWER and LIKE only fold ASCII). Codes are ASCII without
    -- spaces, so the name part is everything but the last LENGTH(code) + 1 characters; the name
    -- filter relies on that (see src/sql.rs).
    search_text           TEXT    NOT NULL
);

CREATE UNIQUE INDEX uq_scheduled_tasks_tenant_code ON scheduled_tasks (tenant_id, code) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_due ON scheduled_tasks (next_run_at) WHERE deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL;
-- One index per list order. Each also carries search_text, code and deleted_at after its sort
-- key: SQLite tests the keyword and name filters on the index entry before it reads the row, so
-- a keyword whose matches are rare (or all at the end of the order) costs one pass over the
-- index instead of a table lookup per task, and a filtered COUNT(*) never reads the table.
-- NULLS LAST orders need nothing extra: SQLite serves them from the same index in two passes.
-- ORDER BY code uses the unique index above (SQLite prefers it to any copy with more columns),
-- so a keyword search sorted by code still reads the rows it tests.
CREATE INDEX ix_scheduled_tasks_tenant_created ON scheduled_tasks (tenant_id, created_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_updated ON scheduled_tasks (tenant_id, updated_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_name ON scheduled_tasks (tenant_id, name, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_next ON scheduled_tasks (tenant_id, next_run_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_last_run ON scheduled_tasks (tenant_id, last_run_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;

CREATE TABLE task_runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             BLOB    NOT NULL UNIQUE,
    tenant_id        BIGINT  NOT NULL,
    task_id          BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    task_version     BIGINT  NOT NULL,
    trigger          TEXT    NOT NULL,
    scheduled_for    BIGINT  NOT NULL,
    -- A run of consecutive skipped occurrences may be one row: scheduled_for is the first,
    -- scheduled_until the last, occurrences the count.
    scheduled_until  BIGINT,
    occurrences      BIGINT  NOT NULL DEFAULT 1,
    status           TEXT    NOT NULL,
    skip_reason      TEXT,
    attempt          INTEGER NOT NULL,
    max_attempts     INTEGER NOT NULL,
    not_before       BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    queued_at        BIGINT  NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    duration_ms      BIGINT,
    result           TEXT,
    error            TEXT
);

-- The occurrence ledger's guarantee: one row per scheduled occurrence, whatever the number of nodes.
CREATE UNIQUE INDEX uq_task_runs_occurrence ON task_runs (task_id, scheduled_for) WHERE trigger <> 'manual';
CREATE INDEX ix_task_runs_task_newest ON task_runs (task_id, scheduled_for DESC, id DESC);
CREATE INDEX ix_task_runs_queued ON task_runs (not_before) WHERE status = 'queued';
CREATE INDEX ix_task_runs_leases ON task_runs (lease_expires_at) WHERE status = 'running';

CREATE TABLE task_run_logs (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id  BIGINT  NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    seq     BIGINT  NOT NULL,
    ts      BIGINT  NOT NULL,
    stream  TEXT    NOT NULL,
    line    TEXT    NOT NULL
);

CREATE UNIQUE INDEX uq_task_run_logs_line ON task_run_logs (run_id, attempt, seq);

CREATE TABLE task_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT  NOT NULL,
    task_id    BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    version    BIGINT  NOT NULL,
    action     TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    definition TEXT    NOT NULL
);

CREATE UNIQUE INDEX uq_task_versions_version ON task_versions (task_id, version);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id BIGINT  NOT NULL,
    task_id   BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    action    TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    at        BIGINT  NOT NULL,
    version   BIGINT  NOT NULL,
    detail    TEXT
);

CREATE INDEX ix_audit_log_tenant_at ON audit_log (tenant_id, at);
CREATE INDEX ix_audit_log_task ON audit_log (task_id, id);
