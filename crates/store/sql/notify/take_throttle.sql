-- Takes the rule's notice window for the task: a row back when the last notice about it was
-- at or before :cutoff (or never), nothing while the window is still open. On PostgreSQL a
-- second node doing the same waits for the first and then finds the window taken; a routing
-- batch takes its rows in (rule_id, task_id) order, so two nodes cannot deadlock on them.
INSERT INTO notify_throttle (rule_id, task_id, last_notified_at)
VALUES (:rule_id, :task_id, :now)
ON CONFLICT (rule_id, task_id) DO UPDATE SET last_notified_at = excluded.last_notified_at
WHERE notify_throttle.last_notified_at <= :cutoff
RETURNING rule_id
