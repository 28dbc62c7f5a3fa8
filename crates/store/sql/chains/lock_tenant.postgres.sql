-- Saves of one tenant's chains one at a time, so two saves cannot each close half a cycle
-- the other's check did not see yet (SQLite has one writer anyway). Class 0x5c4a: chains.
SELECT pg_advisory_xact_lock(23626, CAST(:tenant % 2147483647 AS INTEGER))
