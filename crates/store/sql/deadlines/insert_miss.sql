-- Records a missed deadline instant once (task, deadline, instant).
INSERT INTO deadline_misses
    (tenant_id, task_id, deadline_key, spec, due_at, missed, last_success_at, recorded_at)
VALUES (:tenant, :task_id, :key, :spec, :due, :missed, :last_success, :now)
ON CONFLICT (task_id, deadline_key, due_at) DO NOTHING
