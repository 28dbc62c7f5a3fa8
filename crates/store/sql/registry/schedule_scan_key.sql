-- What the last complete schedule notice scan checked the tasks against ('' before the first).
SELECT scan_key FROM schedule_scan WHERE id = 1
