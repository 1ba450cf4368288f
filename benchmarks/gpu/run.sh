#!/usr/bin/env bash
# Everything that needs a GPU, on the lent machine, in stages (each fits one device call of 10 minutes):
#   bash benchmarks/gpu/run.sh [build] [test] [sanitize] [java] [bench] [bench-quick]   (no argument: all)
#     build     libhorkd_cuda.so and horkd_test with this machine's nvcc (build/gpu)
#     test      ctest: every kernel against the float64 C++ reference, plus m = 4096 (--large)
#     sanitize  compute-sanitizer memcheck and racecheck on horkd_test --quick
#     java      the JUnit GPU tests with the carried runtime (.device, made by benchmarks/gpu/package.sh)
#     bench     horkd against the PyTorch reference code of RKD (benchmarks/gpu/bench_torch.py)
# Output goes to $OUT (the device tool's) or build/gpu/out; a short table is printed last.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${OUT:-build/gpu/out}"
mkdir -p "$out"
stages=("$@")
((${#stages[@]})) || stages=(build test sanitize java bench)
summary="$out/summary.md"
status=0
note() { echo "$*" | tee -a "$summary"; }
want() { local s; for s in "${stages[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1; }
step() { # name, command...: runs, logs to $out/<name>.log, records the outcome
  local name=$1 t0 rc
  shift
  t0=$(date +%s)
  "$@" >"$out/$name.log" 2>&1
  rc=$?
  note "| $name | $([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)") | $(($(date +%s) - t0)) s |"
  ((rc == 0)) || status=1
  return $rc
}

note "# GPU checks $(date -u +%FT%TZ)"
note "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1); $(nvcc --version | tail -1)"
note ""
note "| stage | result | time |"
note "|---|---|---|"
if want build || [[ ! -f build/gpu/libhorkd_cuda.so ]]; then
  step build bash -c "cmake -S cmake -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DHORKD_REQUIRE_CUDA=ON && cmake --build build/gpu"
fi
want test && step ctest bash -c "cd build/gpu && ctest --output-on-failure && ./horkd_test --large"
if want sanitize; then
  step memcheck compute-sanitizer --tool memcheck --error-exitcode 1 build/gpu/horkd_test --quick
  step racecheck compute-sanitizer --tool racecheck --error-exitcode 1 build/gpu/horkd_test --quick
fi
if want java; then
  if [[ -x .device/jre/bin/java ]]; then
    # From java/core, as Maven runs them (some tests read files relative to the module).
    cp=$(ls "$root"/.device/jars/*.jar | grep -v console-standalone | tr '\n' ':')
    step java bash -c "cd java/core && '$root/.device/jre/bin/java' -jar '$root'/.device/jars/junit-platform-console-standalone-*.jar \
      execute --class-path '$cp' --select-package io.horkd.core --details summary --reports-dir '$out/junit' --fail-if-no-tests"
  else
    note "| java | not run: no .device/jre (run benchmarks/gpu/package.sh here and carry .device) | |"
  fi
fi
want bench && step bench python3 benchmarks/gpu/bench_torch.py --lib build/gpu/libhorkd_cuda.so --out "$out/bench.json"
want bench-quick && step bench python3 benchmarks/gpu/bench_torch.py --lib build/gpu/libhorkd_cuda.so \
  --out "$out/bench.json" --m 256,1024 --d 512
note ""
for log in ctest memcheck racecheck java; do
  [[ -f "$out/$log.log" ]] && note "$log: $(grep -E 'checks,|tests passed|ERROR SUMMARY|tests successful|tests failed' "$out/$log.log" | tail -2 | tr '\n' ' ')"
done
[[ -f "$out/bench.log" ]] && sed -n '/^| loss/,$p' "$out/bench.log" | tee -a "$summary"
exit $status
