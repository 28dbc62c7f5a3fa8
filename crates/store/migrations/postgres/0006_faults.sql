-- Faults (same text on both databases).

-- Executions of a run that were not failures of the task: `rescues` counts attempts lost with
-- their node (requeued after the lease expired; bounded by SUNDIAL_MAX_RESCUES), `requeues`
-- the attempts a graceful shutdown handed back. Neither uses up the task's retries.
ALTER TABLE task_runs ADD COLUMN rescues INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task_runs ADD COLUMN requeues INTEGER NOT NULL DEFAULT 0;

-- The row `/readyz` rewrites to learn whether the store accepts writes right now: a write
-- that changes nothing would succeed even on a full disk.
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY,
    at BIGINT  NOT NULL
);
INSERT INTO readiness_probe (id, at) VALUES (1, 0);
