"""Renders the JMH JSON files of one benchmarks/run-cpu.sh run as the Markdown table of RESULTS.md.

A missing entry means the benchmark failed: the run's .log files say why (ND4J's OutOfMemoryError for
the sizes whose O(m^2 d) and O(m^3) tensors do not fit).
"""
import json
import sys
from pathlib import Path

IMPLS = {"HorkdCpuBenchmark": "horkd cpu", "ReferenceBenchmark": "float64 reference", "Nd4jBenchmark": "ND4J SameDiff"}


def load(folder):
    scores = {}
    for f in sorted(Path(folder).glob("*.json")):
        for r in json.loads(f.read_text() or "[]"):
            impl = r["benchmark"].split(".")[-2]
            p = r["params"]
            key = (p["loss"], int(p["m"]), int(p["d"]))
            ms = r["primaryMetric"]["score"]
            unit = r["primaryMetric"]["scoreUnit"]
            scores[(impl, key)] = ms / 1e3 if unit.startswith("us") else ms * 1e3 if unit.startswith("s/") else ms
    return scores


def fmt(ms):
    if ms is None:
        return "failed"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.3f}"


def main(folder):
    scores = load(folder)
    keys = sorted({k for (_, k) in scores}, key=lambda k: (k[0], k[1], k[2]))
    print("| loss | m | d | horkd cpu (ms) | float64 reference (ms) | ND4J SameDiff (ms) | ND4J / horkd |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for loss, m, d in keys:
        h = scores.get(("HorkdCpuBenchmark", (loss, m, d)))
        r = scores.get(("ReferenceBenchmark", (loss, m, d)))
        n = scores.get(("Nd4jBenchmark", (loss, m, d)))
        ratio = (f"{n / h:,.0f}x" if n / h >= 10 else f"{n / h:.1f}x") if h and n else "n/a"
        ref = fmt(r) if m <= 512 else "not run"
        print(f"| {loss.lower()} | {m} | {d} | {fmt(h)} | {ref} | {fmt(n)} | {ratio} |")


if __name__ == "__main__":
    main(sys.argv[1])
