-- Withdraws a task's occurrences fired ahead of their instant (firing/due_tasks) that have not
-- come yet: once the task is edited, stopped or deleted before them, they are no occurrences of
-- what it is now. The caller has recomputed `next_run_at` from now, so one that is still in the
-- schedule is fired again, once, by the new definition.
DELETE FROM task_runs
WHERE task_id = :task_id AND status = 'queued' AND trigger = 'schedule' AND scheduled_for > :at
