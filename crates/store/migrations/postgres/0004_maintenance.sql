-- Engine maintenance beyond 0002 (same text on both databases).

-- Leases of cluster-wide duties. The node holding `maintenance` runs the rescuer and the
-- retention pruning; the others stand by and take over when its lease expires unrenewed.
CREATE TABLE engine_leases (
    name       TEXT   PRIMARY KEY,
    owner      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO engine_leases (name, owner, expires_at) VALUES ('maintenance', '', 0);

-- Retention deletes finished runs oldest first without reading the live ones.
CREATE INDEX ix_task_runs_finished ON task_runs (finished_at) WHERE status NOT IN ('queued', 'running');
