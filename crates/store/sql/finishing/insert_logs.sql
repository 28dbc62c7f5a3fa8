-- Log lines, each numbered after the last line its attempt already has.
-- VALUES columns: 1 run id, 2 attempt, 3 position among the statement's lines of that
-- attempt, 4 ts, 5 stream, 6 line.
INSERT INTO task_run_logs (run_id, attempt, seq, ts, stream, line)
SELECT v.column1, v.column2,
       (SELECT COALESCE(MAX(l.seq), 0) FROM task_run_logs l
        WHERE l.run_id = v.column1 AND l.attempt = v.column2) + v.column3,
       v.column4, v.column5, v.column6
FROM (VALUES {rows: (:run_id, :attempt, :position, :ts, :stream, :line)}) v
