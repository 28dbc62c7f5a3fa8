-- How many runs of a task ended failed or timed out, up to :until, since its last success
-- before then.
SELECT COUNT(*) FROM task_runs r
WHERE r.task_id = :task_id AND r.status IN ('failed', 'timed_out') AND r.finished_at <= :until
  AND r.finished_at > COALESCE((SELECT MAX(s.finished_at) FROM task_runs s
                                WHERE s.task_id = :task_id AND s.status = 'succeeded'
                                  AND s.finished_at <= :until), 0)
