#!/usr/bin/env bash
# The command line end to end, run by `mvn verify` after java/cli has packaged target/horkd.jar:
#  1. `horkd losses` against an independent NumPy implementation of every loss and method (skipped, with a
#     message, where NumPy is missing; `./horkd setup python3-numpy` installs it, as .ci/run does);
#  2. the main job on real data (Fashion-MNIST), shrunk to two seeds of one epoch per stage: every stage,
#     baseline, evaluation and the report, and a check that resident memory does not grow from seed to seed
#     (the C heap's free pages are handed back after each epoch; without that, a multi-seed run grows);
#  3. the metric protocol (`--config metric`), shrunk the same way, and `horkd eval` of its HORKD student.
set -euo pipefail
cd "$(dirname "$0")/../../../.."

if python3 -c 'import numpy' 2>/dev/null; then
  python3 examples/losses/check_with_numpy.py examples/losses/batch
  python3 examples/losses/check_methods_with_numpy.py # every method on maps, features and logits, on a fresh seed
else
  echo "end-to-end: NumPy is not installed, so the NumPy cross-check is SKIPPED (./horkd setup python3-numpy)" >&2
  [[ -z "${HORKD_REQUIRE_NUMPY:-}" ]] || exit 1
fi

smoke="$(mktemp -d)"
trap 'rm -rf "$smoke"' EXIT
HORKD_NO_INSTALL=1 ./horkd distill --run "$smoke/run" --set data.trainLimit=1024 --set data.testLimit=512 --set teacher.epochs=1 \
  --set assistant.epochs=1 --set student.epochs=1 --set lowResolution.factors=2 --set eval.recallQueries=256 --set seeds=1,2
test -s "$smoke/run/report.md" && grep -q "HORKD" "$smoke/run/report.md"
if unzip -l java/cli/target/horkd.jar 'io/horkd/core/mem/*/libjniGlibc.so' >/dev/null; then # no pipe: grep -q would SIGPIPE unzip
  python3 java/cli/src/it/memory_check.py "$smoke/run/metrics.jsonl"
else
  echo "end-to-end: the jar has no native glue (-DskipNative), so the memory check is SKIPPED" >&2
fi

HORKD_NO_INSTALL=1 ./horkd distill --config metric --run "$smoke/metric" --set data.trainLimit=1024 --set data.testLimit=512 \
  --set teacher.epochs=1 --set assistant.epochs=1 --set student.epochs=1 --set lowResolution.factors=2 --set eval.recallQueries=512
grep -q "## Recall@K, queries against a gallery of the same resolution" "$smoke/metric/report.md"
test -s "$smoke/metric/plots/recall.png"
HORKD_NO_INSTALL=1 ./horkd eval --config metric --set data.trainLimit=1024 --set data.testLimit=512 --set eval.recallQueries=512 --factor 2 \
  --model "$smoke/metric/models/horkd-x2-s1" > "$smoke/eval.json"
python3 - "$smoke/eval.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert "top1" not in e and "confusion" not in e, e  # the unseen classes have no logits
w, hr = e["recallWithin"], e["recall"]  # LR queries among themselves; against the HR gallery
assert e["resolution"] == 14 and 0.3 < w["R@1"] <= w["R@2"] <= w["R@4"] <= w["R@8"] <= 1, e
assert 0 <= hr["R@1"] <= hr["R@2"] <= hr["R@4"] <= hr["R@8"] <= 1, e
print("end-to-end: horkd eval --config metric: Recall@K among the LR queries", w, "against the HR gallery", hr)
PY
