#!/usr/bin/env python3
"""Where the database's time goes: per-statement calls, rows and time from a server log.

Run a benchmark with statement logging and keep its data directory, then read the log:

    sundial-bench --keep --log "info,sqlx::query=debug" w1 --tasks 2000 --duration 20
    python3 bench/profile/statements.py /tmp/sundial-bench-XXXX/server.log EXECUTIONS

EXECUTIONS divides the totals (e.g. the runs that succeeded:
`sqlite3 sundial.db "SELECT COUNT(*) FROM task_runs WHERE status = 'succeeded'"`). The empty
statement is the commit. The benchmark's own reads (a task's runs, the list) are listed too:
leave them out when adding up the engine's share.
"""
import collections
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LINE = re.compile(
    r'db\.statement="(.*?)" rows_affected=(\d+) rows_returned=(\d+) '
    r"elapsed=\S+ elapsed_secs=([\d.e-]+)"
)


def main(log: str, executions: float, top: int = 25) -> None:
    totals = collections.defaultdict(lambda: [0, 0, 0, 0.0])
    with open(log, errors="replace") as f:
        for line in f:
            m = LINE.search(ANSI.sub("", line))
            if not m:
                continue
            text = re.sub(r"\s+", " ", m.group(1).replace("\\n", " "))
            key = text[:60] + " … " + text[-50:] if len(text) > 110 else text
            t = totals[key]
            t[0] += 1
            t[1] += int(m.group(2))
            t[2] += int(m.group(3))
            t[3] += float(m.group(4))
    total = sum(t[3] for t in totals.values())
    print(f"all statements {total:.2f} s = {total / executions * 1e6:.1f} µs an execution")
    for key, (calls, affected, returned, secs) in sorted(
        totals.items(), key=lambda kv: -kv[1][3]
    )[:top]:
        print(
            f"{secs / executions * 1e6:7.1f} µs/ex  calls/ex {calls / executions:6.3f}  "
            f"affected/call {affected / calls:7.1f}  returned/call {returned / calls:7.1f}  "
            f"µs/call {secs / calls * 1e6:8.1f}  {key}"
        )


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], float(sys.argv[2]), *(int(a) for a in sys.argv[3:4]))
