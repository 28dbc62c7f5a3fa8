-- Whether any event waits to be routed (a read, so an idle notifier takes no write lock).
SELECT id FROM notify_events WHERE routed_at IS NULL LIMIT 1
