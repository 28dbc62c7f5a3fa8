-- Gives a lease up, so another node takes the duty over at once.
UPDATE engine_leases SET expires_at = 0 WHERE name = :name AND owner = :owner
