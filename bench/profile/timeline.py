#!/usr/bin/env python3
"""When a burst's runs were fired, started and finished: counts per time bucket from the ledger.

Run a benchmark and keep its data directory, then read its SQLite database:

    sundial-bench --keep w2 --tasks 30000
    python3 bench/profile/timeline.py /tmp/sundial-bench-XXXX/sundial.db [BUCKET_MS]

Each row is a bucket (250 ms unless told), counted from the first run's start: how many runs
were fired (`queued_at`: their ledger row committed), started and finished in it. A stage
that stalls while another runs shows as a stretch of buckets where one count drops.
"""
import sqlite3
import sys


def main(db: str, bucket_ms: int = 250) -> None:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (origin,) = con.execute("SELECT MIN(started_at) FROM task_runs").fetchone()
    if origin is None:
        sys.exit("no run has started")
    counts: dict[int, list[int]] = {}
    for column, slot in (("queued_at", 0), ("started_at", 1), ("finished_at", 2)):
        # Shifted so that SQLite's division, which truncates, floors the buckets before the
        # origin too (runs fired ahead of the first start).
        query = (
            f"SELECT ({column} - ? + ? * 1000000) / ? - 1000000, COUNT(*) FROM task_runs "
            f"WHERE {column} IS NOT NULL GROUP BY 1"
        )
        for bucket, n in con.execute(query, (origin, bucket_ms, bucket_ms)):
            counts.setdefault(bucket, [0, 0, 0])[slot] = n
    print(f"{'from ms':>8} {'fired':>7} {'started':>8} {'finished':>9}")
    for bucket in sorted(counts):
        fired, started, finished = counts[bucket]
        print(f"{bucket * bucket_ms:>8} {fired:>7} {started:>8} {finished:>9}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 250)
