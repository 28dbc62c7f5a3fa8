#!/usr/bin/env python3
"""What the runtime's threads do in the burst after each whole second (W1 aligned).

Record the server while W1 aligned runs, with call graphs, and fold the samples onto the
second: the window of the given width around the busiest hundredth of a second is the burst.

    perf record -F 999 --call-graph dwarf,16384 -p "$(pgrep -x sundial)" -o burst.data -- sleep 5
    perf script -i burst.data -F comm,time,ip,sym > burst.txt
    python3 bench/profile/burst.py burst.txt [WIDTH_S] [TOP]

Prints each frame's share of the window's samples of the `tokio-rt-worker` threads (a frame
counts once per sample, so callers include their callees).
"""
import collections
import re
import sys

HEAD = re.compile(r"^\s*(\S+)\s+(\d+\.\d+):")


def frame(text: str) -> str:
    text = re.sub(r"\+0x[0-9a-f]+$", "", text)
    text = re.sub(r"::h[0-9a-f]{16}", "", text)
    return re.sub(r"\s*\(.*\)$", "", text)


def main(path: str, width: float = 0.03, top: int = 120) -> None:
    samples = []
    with open(path) as f:
        for line in f:
            m = HEAD.match(line)
            if m:
                samples.append((m.group(1), float(m.group(2)), []))
                continue
            parts = line.strip().split(None, 1)
            if samples and len(parts) == 2:
                samples[-1][2].append(parts[1])
    runtime = [s for s in samples if s[0].startswith("tokio")]
    if not runtime:
        sys.exit("no samples of the runtime's threads")
    t0 = samples[0][1]
    per_bin = collections.Counter(int(((s[1] - t0) % 1.0) * 100) for s in runtime)
    peak = max(per_bin, key=per_bin.get) / 100.0

    def in_burst(sample) -> bool:
        offset = ((sample[1] - t0) % 1.0) - peak
        return abs((offset + 0.5) % 1.0 - 0.5) <= width

    window = [s for s in runtime if in_burst(s)]
    print(f"{len(window)} samples in the burst, of {len(samples)}")
    counts = collections.Counter()
    for _, _, stack in window:
        counts.update({frame(f) for f in stack})
    for name, n in counts.most_common(top):
        print(f"{n:6d} {100 * n / len(window):5.1f}% {name[:160]}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    args = sys.argv[2:]
    main(
        sys.argv[1],
        float(args[0]) if args else 0.03,
        int(args[1]) if len(args) > 1 else 120,
    )
