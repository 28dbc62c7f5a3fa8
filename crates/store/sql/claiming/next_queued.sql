-- Earliest instant a queued run may start, leaving out the ones waiting for a running run.
SELECT MIN(q.not_before) FROM task_runs q
WHERE q.status = 'queued' AND {q_not_waiting}
