-- Runs past the smallest run.slow threshold of the rules that apply to their task (its own
-- rules, or the tenant's defaults when it has none) without a run.slow event yet: the ones
-- executing for longer than it at :now, and the ones that ended since :finished_since having
-- run longer than it (so a run passing its threshold between two checks is not missed).
-- The joins are CROSS JOINs so that SQLite keeps the written order (PostgreSQL plans them as
-- inner joins): the running runs are found from the run.slow rules (ix_notify_rules_event),
-- through the running runs of their task (ix_task_runs_running_task) or tenant
-- (ix_task_runs_running_tenant); the ended ones from the runs that ended since the last check
-- (ix_task_runs_finished). No ORDER BY: SQLite would push it into each arm and read the runs
-- in id order instead of through these indexes; the runs a page records are not found again.
WITH slow AS (
    SELECT tenant_id, task_id, MIN(threshold) AS threshold
    FROM notify_rules
    WHERE event = 'run.slow' AND threshold IS NOT NULL
    GROUP BY tenant_id, task_id
),
applying AS (
    SELECT r.id, r.uuid, r.status, r.attempt, r.started_at, r.duration_ms, s.threshold
    FROM slow s
    CROSS JOIN task_runs r
    WHERE s.task_id IS NOT NULL AND r.task_id = s.task_id AND r.status = 'running'
      AND r.started_at < :now - s.threshold
    UNION ALL
    SELECT r.id, r.uuid, r.status, r.attempt, r.started_at, r.duration_ms, s.threshold
    FROM slow s
    CROSS JOIN task_runs r
    WHERE s.task_id IS NULL AND r.tenant_id = s.tenant_id AND r.status = 'running'
      AND r.started_at < :now - s.threshold
      AND NOT EXISTS (SELECT 1 FROM notify_rules o
                      WHERE o.tenant_id = r.tenant_id AND o.task_id = r.task_id)
    UNION ALL
    SELECT r.id, r.uuid, r.status, r.attempt, r.started_at, r.duration_ms, s.threshold
    FROM task_runs r
    CROSS JOIN slow s
    WHERE r.status NOT IN ('queued', 'running') AND r.finished_at >= :finished_since
      AND s.tenant_id = r.tenant_id AND s.task_id = r.task_id
      AND r.duration_ms > s.threshold
    UNION ALL
    SELECT r.id, r.uuid, r.status, r.attempt, r.started_at, r.duration_ms, s.threshold
    FROM task_runs r
    CROSS JOIN slow s
    WHERE r.status NOT IN ('queued', 'running') AND r.finished_at >= :finished_since
      AND s.tenant_id = r.tenant_id AND s.task_id IS NULL
      AND r.duration_ms > s.threshold
      AND NOT EXISTS (SELECT 1 FROM notify_rules o
                      WHERE o.tenant_id = r.tenant_id AND o.task_id = r.task_id)
)
SELECT a.id, a.uuid, a.status, a.attempt, a.started_at, a.duration_ms, a.threshold
FROM applying a
WHERE NOT EXISTS (SELECT 1 FROM notify_events e WHERE e.run_uuid = a.uuid AND e.kind = 'run.slow')
LIMIT CAST(:limit AS BIGINT)
