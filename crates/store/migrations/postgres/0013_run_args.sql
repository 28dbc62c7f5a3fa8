-- Runs with arguments: the JSON object a manual run was started with (`POST /{uuid}/run
-- {"args": …}`), which each of its attempts (retries and rescues included) executes in place
-- of the task's own `args`. NULL: the run uses the task's configuration as it is.
ALTER TABLE task_runs ADD COLUMN args TEXT;
