-- Bounded log reads (same text on both databases).

-- A run's log in the order it was written, by line id: the paged log endpoint walks it from a
-- cursor, and the bounded views read only the newest lines of a run, whatever the run stored.
CREATE INDEX ix_task_run_logs_run_line ON task_run_logs (run_id, id);
