-- One page of every tenant's live tasks, in uuid order after :after (keyset paging, so a
-- scan never holds more than a page).
SELECT {task_columns} FROM scheduled_tasks
WHERE deleted_at IS NULL AND uuid > :after
ORDER BY uuid LIMIT :limit
