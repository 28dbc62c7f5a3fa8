-- The newest lines of a run's log, newest first: at most :limit rows (one more than a view
-- shows, so the caller knows whether older lines exist). A line's text comes only while it and
-- the newer lines stay within :bytes; beyond that it is NULL and the view leaves it out.
SELECT id, attempt, seq, ts, stream,
       CASE WHEN SUM(OCTET_LENGTH(line)) OVER (ORDER BY id DESC ROWS UNBOUNDED PRECEDING)
                 <= :bytes
            THEN line END AS line
FROM (SELECT id, attempt, seq, ts, stream, line FROM task_run_logs
      WHERE run_id = :run_id
      ORDER BY id DESC
      LIMIT :limit) newest
ORDER BY id DESC
