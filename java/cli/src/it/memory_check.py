"""Fails when a run's resident memory grows from seed to seed.

Reads a distill run's metrics.jsonl (an epoch per line, each with `residentBytes`: the process's resident
memory after the epoch, once the C heap's free pages are handed back) and compares the largest value of
each later seed with that of the first: what stays resident after the first seed is the run's working set,
and growth beyond it is memory kept across stages (benchmarks/RESULTS.md, "Memory").
"""
import json
import re
import sys
from collections import defaultdict

GROWTH = 1.25  # the largest later seed may exceed the first by this factor


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
    first = max(by_seed[seeds[0]])
    for s in seeds:
        print(f"memory check: seed {s}: resident after its epochs {min(by_seed[s]) / 1e9:.2f}-{max(by_seed[s]) / 1e9:.2f} GB")
    worst = max(max(by_seed[s]) for s in seeds[1:])
    if worst > GROWTH * first:
        sys.exit(f"memory check: FAILED: resident memory grew from {first / 1e9:.2f} GB (seed {seeds[0]}) to {worst / 1e9:.2f} GB, "
                 f"more than {GROWTH}x: memory is kept from one seed to the next")
    print(f"memory check: passed ({worst / first:.2f}x the first seed's, at most {GROWTH}x)")


if __name__ == "__main__":
    main(sys.argv[1])
