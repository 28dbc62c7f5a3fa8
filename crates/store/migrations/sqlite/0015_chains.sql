-- Chains: when a run of a task (the parent) ends for good with an outcome a link names, a run
-- of another task of the same tenant (the child) is queued in the transaction that records
-- that outcome. A parent's links are numbered 1..n in `slot`; `chain_slots` on the parent is
-- the highest number in use (0: no links), so recording outcomes of tasks without links costs
-- nothing more, and the chained runs get their uuids before the statement that inserts them.
CREATE TABLE task_chains (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT  NOT NULL,
    parent_task_id BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    child_task_id  BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    slot           INTEGER NOT NULL,
    on_outcome     TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX uq_task_chains_slot ON task_chains (parent_task_id, slot);
CREATE UNIQUE INDEX uq_task_chains_link ON task_chains (parent_task_id, child_task_id);
CREATE INDEX ix_task_chains_child ON task_chains (child_task_id);

ALTER TABLE scheduled_tasks ADD COLUMN chain_slots BIGINT NOT NULL DEFAULT 0;

-- A chained run: the parent run (its id; a pruned parent leaves it dangling) and the context
-- the child receives (JSON: the parent's run uuid, task uuid, outcome, result, error).
ALTER TABLE task_runs ADD COLUMN parent_run_id BIGINT;
ALTER TABLE task_runs ADD COLUMN parent TEXT;
-- Exactly one chained run per parent run and child task, whatever rescues or retries happen.
CREATE UNIQUE INDEX uq_task_runs_chain ON task_runs (parent_run_id, task_id) WHERE parent_run_id IS NOT NULL;
-- Chained runs are not occurrences: one may be queued at the instant a schedule fires.
DROP INDEX uq_task_runs_occurrence;
CREATE UNIQUE INDEX uq_task_runs_occurrence ON task_runs (task_id, scheduled_for) WHERE trigger NOT IN ('manual', 'chain');
