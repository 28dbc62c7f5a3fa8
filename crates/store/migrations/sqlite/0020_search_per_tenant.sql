-- Nothing on SQLite: keyword search scans the tenant's list-order index, which starts with the
-- tenant already (0017). PostgreSQL's 0020 puts the tenant into its trigram index.
SELECT 1;
