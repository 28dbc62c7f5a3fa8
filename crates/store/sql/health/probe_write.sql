-- Rewrites the readiness row: succeeds only while the store accepts writes.
UPDATE readiness_probe SET at = :now WHERE id = 1
