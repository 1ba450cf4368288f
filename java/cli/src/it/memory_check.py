"""Fails when a run's resident memory grows from seed to seed.

Reads a distill run's metrics.jsonl (an epoch per line, each with `residentBytes`: the process's resident
memory after the epoch, once what it freed is handed back) and compares each later seed's level with the
first seed's. A seed's level is the median over the later half of its epochs: its first stages start lower
(a fresh process), and single epochs spike with what is still being freed, so neither the first value nor
the largest is a stable measure. Kept memory raises a later seed's whole level (benchmarks/RESULTS.md,
"Memory": 1.8-1.9x on the smoke run without the release, 1.0x with it).
"""
import json
import re
import sys
from collections import defaultdict

GROWTH = 1.25  # a later seed's level may exceed the first's by this factor


def level(values):
    """The median of the later half of a seed's post-epoch resident memory, in bytes."""
    later = sorted(values[len(values) // 2:])
    n = len(later)
    return later[n // 2] if n % 2 else (later[n // 2 - 1] + later[n // 2]) / 2


def main(path):
    by_seed = defaultdict(list)
    for line in open(path):
        m = json.loads(line)
        seed = int(re.search(r"-s(\d+)$", m["stage"]).group(1))
        resident = m.get("residentBytes", -1)
        if resident is None or resident <= 0:
            sys.exit(f"memory check: {m['stage']} epoch {m['epoch']} has no resident memory (residentBytes={resident})")
        by_seed[seed].append(resident)
    seeds = sorted(by_seed)
    if len(seeds) < 2:
        sys.exit(f"memory check: needs a run of two seeds or more, {path} has {seeds}")
    first = level(by_seed[seeds[0]])
    for s in seeds:
        v = by_seed[s]
        print(f"memory check: seed {s}: resident after its epochs {min(v) / 1e9:.2f}-{max(v) / 1e9:.2f} GB, level {level(v) / 1e9:.2f} GB")
    worst = max(level(by_seed[s]) for s in seeds[1:])
    if worst > GROWTH * first:
        sys.exit(f"memory check: FAILED: the resident level grew from {first / 1e9:.2f} GB (seed {seeds[0]}) to {worst / 1e9:.2f} GB, "
                 f"more than {GROWTH}x: memory is kept from one seed to the next")
    print(f"memory check: passed ({worst / first:.2f}x the first seed's level, at most {GROWTH}x)")


if __name__ == "__main__":
    main(sys.argv[1])
