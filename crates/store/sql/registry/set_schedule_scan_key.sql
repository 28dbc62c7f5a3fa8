-- Records a complete schedule notice scan.
UPDATE schedule_scan SET scan_key = :scan_key, at = :at WHERE id = 1
