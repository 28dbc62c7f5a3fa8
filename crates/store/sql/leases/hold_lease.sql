-- Takes or renews the lease of a cluster-wide duty: succeeds (one row) when :owner holds it
-- already or nobody does any more.
UPDATE engine_leases SET owner = :owner, expires_at = :until
WHERE name = :name AND (owner = :owner OR expires_at <= :now)
