-- The rules routing to a deleted channel go with it.
DELETE FROM notify_rules WHERE channel_id = :channel_id
