-- Dead-man deadlines (issue 18). A task's deadlines, each with the state its checker keeps:
-- `spec` is the deadline as the API shows it (JSON), `deadline_key` its canonical text and
-- identity within the task (saving the same deadline again keeps its state), `since` when it
-- was set (instants before it are never due), `checked_through` the latest due instant examined.
CREATE TABLE task_deadlines (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       BIGINT  NOT NULL,
    task_id         BIGINT  NOT NULL REFERENCES scheduled_tasks (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    deadline_key    TEXT    NOT NULL,
    spec            TEXT    NOT NULL,
    since           BIGINT  NOT NULL,
    checked_through BIGINT,
    last_met_at     BIGINT,
    last_missed_at  BIGINT,
    missed_count    BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uq_task_deadlines_key ON task_deadlines (task_id, deadline_key);

-- One row per recorded miss: the latest missed instant a check found, and how many due
-- instants it stands for. Unique per task, deadline and instant: two checkers record it once.
-- Kept by the deadline's key, so removing a deadline leaves its history.
CREATE TABLE deadline_misses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       BIGINT  NOT NULL,
    task_id         BIGINT  NOT NULL REFERENCES scheduled_tasks (id) ON DELETE CASCADE,
    deadline_key    TEXT    NOT NULL,
    spec            TEXT    NOT NULL,
    due_at          BIGINT  NOT NULL,
    missed          BIGINT  NOT NULL,
    last_success_at BIGINT,
    recorded_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX uq_deadline_misses_due ON deadline_misses (task_id, deadline_key, due_at);
CREATE INDEX ix_deadline_misses_tenant ON deadline_misses (tenant_id, recorded_at DESC, id DESC);

-- A task's latest success, which each check of its deadlines reads.
CREATE INDEX ix_task_runs_task_succeeded ON task_runs (task_id, finished_at) WHERE status = 'succeeded';
