#!/usr/bin/env bash
# The CPU benchmarks of RESULTS.md: horkd's CPU backend, horkd's float64 reference and the ND4J SameDiff
# form of the RKD losses, forward + backward, m in {64..2048}, d in {128, 512, 2048}.
# Writes JMH's JSON and logs to benchmarks/results/<date>/ and prints the table (results_table.py).
# Then one SameDiff training step of a small CNN with and without the distillation loss, and the loss
# alone at the step's shapes (TrainingStepBenchmark, StepLossBenchmark).
# Takes about an hour on 2 cores; nothing else should run meanwhile.
# And each method's training step of the default run's student, with the teacher's forward pass
# (MethodStepBenchmark, MethodTeacherBenchmark).
#   usage: benchmarks/run-cpu.sh [quick] [step|methods]   quick: 1 short iteration each, for a smoke test;
#                                                 step: only the training-step benchmarks; methods: only the methods'
#                                                 (needs the default data, dataset-fashion-mnist)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jar=benchmarks/target/benchmarks.jar
[[ -f "$jar" ]] || mvn -B -q -ntp -DskipTests -pl benchmarks -am package
out="benchmarks/results/$(date +%F)"
mkdir -p "$out"
iters=()
only_step=0
only_methods=0
for arg in "$@"; do
  case "$arg" in
    quick) iters=(-wi 0 -i 1 -r 1) ;;
    step) only_step=1 ;;
    methods) only_methods=1 ;;
    *) echo "unknown argument: $arg (use quick and/or step or methods)" >&2; exit 2 ;;
  esac
done
# ND4J frees and reallocates its arrays every step; with glibc's defaults those pages go back to the
# kernel and are zeroed again on the next fault (30% of a training step's time on this VM, and steps
# varying 40-200 ms). Keeping freed memory in the process makes step timings repeatable.
export MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 \
  MALLOC_TOP_PAD_=536870912

run() { # name, then JMH arguments
  local name=$1
  shift
  echo "== $name" >&2
  java -jar "$jar" "$@" "${iters[@]}" -rf json -rff "$out/$name.json" >"$out/$name.log" 2>&1 || true
  grep -E "^(Benchmark|[A-Za-z0-9]+Benchmark\.)" "$out/$name.log" >&2 || true
}

if (( only_methods )); then
  run method-step MethodStepBenchmark
  run method-teacher MethodTeacherBenchmark
  grep -h "\[share\]" "$out/method-step.log" >&2 || true
  exit 0
fi
run training-step TrainingStepBenchmark -f 2
run step-loss StepLossBenchmark -f 2
(( only_step )) && exit 0

run horkd-cpu HorkdCpuBenchmark
run reference ReferenceBenchmark
# ND4J: averaged where an op takes seconds; the angle at m >= 512 one shot (minutes, or out of memory).
run nd4j-small Nd4jBenchmark -p m=64,128,256
run nd4j-large-distance Nd4jBenchmark -p m=512,2048 -p loss=DISTANCE
run nd4j-large-angle Nd4jBenchmark -p m=512,2048 -p loss=ANGLE -bm ss -wi 0 -i 1
python3 benchmarks/results_table.py "$out" | tee "$out/table.md"
