-- A page of a run's log after line :after, in the order it was written: at most :limit rows
-- (one more than a page holds, so the caller knows whether more follow). A line's text comes
-- only while the lines before it in the page stay below :bytes, so the first line always
-- comes; beyond that it is NULL and the page ends before it.
SELECT id, attempt, seq, ts, stream,
       CASE WHEN SUM(OCTET_LENGTH(line)) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING)
                 - OCTET_LENGTH(line) < :bytes
            THEN line END AS line
FROM (SELECT id, attempt, seq, ts, stream, line FROM task_run_logs
      WHERE run_id = :run_id AND id > :after
      ORDER BY id
      LIMIT :limit) page
ORDER BY id
