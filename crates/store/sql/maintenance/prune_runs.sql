-- Deletes the oldest finished runs (and, by cascade, their log lines) finished before :before.
DELETE FROM task_runs WHERE id IN (
    SELECT id FROM task_runs
    WHERE status NOT IN ('queued', 'running') AND finished_at < :before
    ORDER BY finished_at
    LIMIT :limit
)
