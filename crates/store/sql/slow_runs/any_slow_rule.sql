-- Whether any tenant has a run.slow rule (ix_notify_rules_event): without one the check of
-- slow runs reads nothing else.
SELECT id FROM notify_rules WHERE event = 'run.slow' LIMIT 1
