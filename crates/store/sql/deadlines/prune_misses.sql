-- Deletes the oldest deadline misses recorded before :before (ix_deadline_misses_recorded).
DELETE FROM deadline_misses WHERE id IN (
    SELECT id FROM deadline_misses
    WHERE recorded_at < :before
    ORDER BY recorded_at
    LIMIT :limit
)
