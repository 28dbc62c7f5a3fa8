-- The arguments of a manual run, written in the transaction that inserted it.
UPDATE task_runs SET args = :args WHERE uuid = :uuid
