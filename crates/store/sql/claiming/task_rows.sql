-- The engine's tasks the node's task cache lacks at the version in force (claiming/task_cache.rs),
-- as they are now: a claim's runs' tasks (a definition changed since the firing applies to its
-- runs not yet started) and a firing's due tasks. Read, not written: nothing of the task
-- changes when its run is claimed (`is_running` and `last_run_at` are read from the ledger,
-- query.rs TASK_COLUMNS), so a claim takes no lock on a task row and never waits for the
-- firing or the finisher writing one. The engine's columns leave the running run out
-- (query.rs ENGINE_TASK_COLUMNS).
SELECT {engine_task_columns} FROM scheduled_tasks
WHERE id IN (VALUES {rows: (CAST(:id AS BIGINT))})
