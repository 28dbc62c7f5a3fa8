-- One system line in each pruned log saying what happened to it (not counted in log_bytes: a
-- note of Sundial's own, one per run, which run retention bounds).
-- VALUES columns: 1 run id, 2 the note.
INSERT INTO task_run_logs (run_id, attempt, seq, ts, stream, line)
SELECT r.id, r.attempt, 1, :now, 'system', v.column2
FROM task_runs r JOIN (VALUES {rows: (:run_id, :note)}) v ON r.id = v.column1
