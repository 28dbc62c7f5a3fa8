-- Schedule notices (same text on both databases).

-- Set by the start-up scan on a task whose next occurrence a change of the scheduling rules
-- moved, or whose trigger an edit would now refuse: a JSON object (reason, message, the previous
-- and the new next occurrence, when it was noticed) the API and the console show until the
-- task's definition is next edited. NULL: nothing to tell.
ALTER TABLE scheduled_tasks ADD COLUMN schedule_notice TEXT;
