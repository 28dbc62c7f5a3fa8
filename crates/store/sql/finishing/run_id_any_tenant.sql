-- The internal id of a run, by uuid, whatever its tenant (the engine already holds it).
SELECT id FROM task_runs WHERE uuid = :uuid
