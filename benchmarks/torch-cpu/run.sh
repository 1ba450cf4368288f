#!/usr/bin/env bash
# horkd's CPU backend against the PyTorch reference code of RKD (and the HORKD objective written the same
# way), side by side and interleaved on this machine: benchmarks/torch-cpu/peer.py says how. Installs what
# it needs on Debian (python3-torch, python3-numpy, and libopenblas0-openmp, which PyTorch gets through the
# library path of its own process only: Debian's default BLAS is the reference one, 5 GFLOP/s), builds the
# benchmarks jar, and writes peer.json and table.md to benchmarks/results/<date>/torch-cpu/.
# Takes about 30 minutes on 2 cores; nothing else should run meanwhile.
#   usage: benchmarks/torch-cpu/run.sh [--quick] [peer.py's options: --loss, --m, --d, --rounds ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
python=/usr/bin/python3 # Debian's python3-torch is built for Debian's interpreter
openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp
need=()
[[ -x "$python" ]] && "$python" -c "import torch" 2>/dev/null || need+=(python3-torch)
[[ -x "$python" ]] && "$python" -c "import numpy" 2>/dev/null || need+=(python3-numpy)
[[ -f "$openblas/libblas.so.3" ]] || need+=(libopenblas0-openmp)
if ((${#need[@]})); then
  sudo=""; ((EUID == 0)) || sudo=sudo
  echo "torch-cpu: installing ${need[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
jar=benchmarks/target/benchmarks.jar
# Rebuilt when any module it holds changed; with the native glue, as a user's build has it (NativeHeap's
# malloc settings and trim need it: benchmarks/RESULTS.md, "Page faults").
if [[ ! -f "$jar" || -n "$(find pom.xml java cuda cmake benchmarks/src benchmarks/pom.xml -path '*/target' -prune -o -type f -newer "$jar" -print -quit)" ]]; then
  mvn -B -q -ntp -DskipTests -pl benchmarks -am package >&2
fi
out="benchmarks/results/$(date +%F)/torch-cpu"
# PyTorch (this process) finds OpenBLAS first; horkd's worker gets the caller's library path back.
export HORKD_LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"
LD_LIBRARY_PATH="$openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}" \
  "$python" benchmarks/torch-cpu/peer.py --jar "$jar" --out "$out" "$@"
