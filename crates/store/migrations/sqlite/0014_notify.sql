-- Notifications (issue 18): a tenant's channels, the rules that route a task's events to them,
-- the outbox producers record events in (in their own transaction, so an event exists exactly
-- when the outcome it reports was committed), and each delivery of an event to a channel.
-- Times are epoch milliseconds, as everywhere.

CREATE TABLE notify_channels (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  BLOB    NOT NULL UNIQUE,
    tenant_id             BIGINT  NOT NULL,
    name                  TEXT    NOT NULL,
    -- webhook | email
    kind                  TEXT    NOT NULL,
    -- What the kind needs, as JSON: webhook {"url": …}, email {"to": […]}.
    config                TEXT    NOT NULL,
    -- The webhook's HMAC-SHA256 key. After a rotation the previous key still signs (as a
    -- second signature) until previous_secret_until, so receivers can switch without a gap.
    secret                TEXT,
    previous_secret       TEXT,
    previous_secret_until BIGINT,
    created_at            BIGINT  NOT NULL,
    created_by            TEXT    NOT NULL,
    updated_at            BIGINT  NOT NULL,
    -- Deleted channels stay for the deliveries that name them; nothing routes to them.
    deleted_at            BIGINT
);

CREATE INDEX ix_notify_channels_tenant ON notify_channels (tenant_id, id) WHERE deleted_at IS NULL;

CREATE TABLE notify_rules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             BLOB    NOT NULL UNIQUE,
    tenant_id        BIGINT  NOT NULL,
    -- NULL: a tenant default, applying to each task of the tenant without rules of its own.
    task_id          BIGINT  REFERENCES scheduled_tasks (id),
    channel_id       BIGINT  NOT NULL REFERENCES notify_channels (id),
    -- The event kind it routes (run.failed, run.recovered, run.slow, occurrence.skipped,
    -- deadline.missed).
    event            TEXT    NOT NULL,
    -- run.failed: notify from this many consecutive failures on; run.slow: the duration in
    -- milliseconds a run must exceed. NULL for the other kinds.
    threshold        BIGINT,
    -- At most one notice per task and rule within this many seconds.
    throttle_seconds BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    created_by       TEXT    NOT NULL
);

CREATE INDEX ix_notify_rules_task ON notify_rules (tenant_id, task_id);
CREATE INDEX ix_notify_rules_channel ON notify_rules (channel_id);

-- When each rule last notified about each task (a tenant default rule throttles per task).
CREATE TABLE notify_throttle (
    rule_id          BIGINT  NOT NULL REFERENCES notify_rules (id) ON DELETE CASCADE,
    task_id          BIGINT  NOT NULL,
    last_notified_at BIGINT  NOT NULL,
    PRIMARY KEY (rule_id, task_id)
);

-- The outbox: one row per event, routed to rules by the dispatcher (routed_at set then).
CREATE TABLE notify_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid        BLOB    NOT NULL UNIQUE,
    tenant_id   BIGINT  NOT NULL,
    task_id     BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    -- The run it is about; not a foreign key, so run retention is free to prune the run.
    run_uuid    BLOB,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    occurred_at BIGINT  NOT NULL,
    routed_at   BIGINT
);

CREATE INDEX ix_notify_events_unrouted ON notify_events (id) WHERE routed_at IS NULL;
-- One event of a kind per run, so producers that look back over a window (the notifier's scan
-- of slow and skipped runs) can record again without telling twice.
CREATE UNIQUE INDEX uq_notify_events_run_kind ON notify_events (run_uuid, kind) WHERE run_uuid IS NOT NULL;
CREATE INDEX ix_notify_events_occurred ON notify_events (occurred_at);

-- One event sent to one channel: its state and its attempts so far.
CREATE TABLE notify_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Also the `Sundial-Delivery` header, for receivers to de-duplicate retries.
    uuid             BLOB    NOT NULL UNIQUE,
    tenant_id        BIGINT  NOT NULL,
    event_id         BIGINT  NOT NULL REFERENCES notify_events (id) ON DELETE CASCADE,
    channel_id       BIGINT  NOT NULL REFERENCES notify_channels (id),
    rule_id          BIGINT,
    -- pending | sending | delivered | failed
    status           TEXT    NOT NULL,
    attempts         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    response_code    BIGINT,
    error            TEXT,
    created_at       BIGINT  NOT NULL,
    finished_at      BIGINT
);

CREATE UNIQUE INDEX uq_notify_deliveries_event_channel ON notify_deliveries (event_id, channel_id);
CREATE INDEX ix_notify_deliveries_due ON notify_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_notify_deliveries_leases ON notify_deliveries (lease_expires_at) WHERE status = 'sending';
CREATE INDEX ix_notify_deliveries_tenant ON notify_deliveries (tenant_id, id);
