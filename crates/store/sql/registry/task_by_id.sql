-- One task by internal id, whether deleted or not (the caller already scoped it).
SELECT {task_columns} FROM scheduled_tasks WHERE id = :id
