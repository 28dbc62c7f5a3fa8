-- Moves a deadline's examined instant forward to :due, recording it as met or missed (or, for
-- a stopped task, as neither). Only the first of several checkers examining :due changes the
-- row (the condition, re-read under PostgreSQL's row lock, fails for the others), so a miss
-- is counted once.
UPDATE task_deadlines SET
    checked_through = :due,
    last_met_at = CASE WHEN :missed = 0 AND NOT :stopped THEN :due ELSE last_met_at END,
    last_missed_at = CASE WHEN :missed > 0 THEN :due ELSE last_missed_at END,
    missed_count = missed_count + :missed
WHERE id = :id AND (checked_through IS NULL OR checked_through < :due)
