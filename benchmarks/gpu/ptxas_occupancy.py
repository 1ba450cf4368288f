#!/usr/bin/env python3
"""What the compiler tells about every kernel, without a GPU: registers, spills, stack and static shared
memory from `nvcc -Xptxas -v`, and the occupancy they allow on one SM at each kernel's block size.

    python3 benchmarks/gpu/ptxas_occupancy.py [--arch sm_90] [--markdown]

Occupancy follows the CUDA occupancy calculator's rules for compute capability 9.0 (H100/H200): 64 warps,
32 blocks and 65536 registers per SM, registers allocated per warp in units of 256, 228 KB of shared
memory per SM with 1 KB reserved per block and 128-byte granules. It is an upper bound: the real one
also depends on the carveout the driver picks and on the grid (a grid of 1 block fills one SM).
"""
import argparse
import glob
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Threads per block at each launch site (cuda/src/*.cu); a kernel missing here is an error, so the table
# cannot silently lose one.
BLOCK = {
    "angle_vertex_kernel": 128, "angle_pair_kernel": 256, "inverse_distances_kernel": 256,
    "angle_finish_kernel": 256, "subtract_row_sums_kernel": 256,
    "gemm_kernel": 256, "dot_rows_kernel": 128,
    "distances_kernel": 256, "errors_kernel": 256, "gradient_kernel": 256,
    "pointwise_rows_kernel": 256, "hinton_rows_kernel": 256,
    "sum_partials_kernel": 1024, "widen_kernel": 256, "add_scaled_kernel": 256,
    "center_columns_kernel<float>": 256, "center_columns_kernel<double>": 256, "row_sq_norms_kernel": 256,
    "rank_by_label_kernel": 256, "group_starts_kernel": 32, "group_means_kernel": 128,
    "center_shift_kernel": 128, "subtract_shift_kernel": 256, "center_rows_kernel": 256,
    "value_scale_kernel": 1024, "center_grad_kernel": 256, "accumulate_groups_kernel": 128,
    "check_labels_kernel": 256,
}

SM = dict(warps=64, blocks=32, regs=65536, reg_unit=256, smem=233472, smem_reserved=1024, smem_unit=128)


def ptxas(arch):
    out = []
    for src in sorted(glob.glob(os.path.join(ROOT, "cuda/src/*.cu"))):
        cmd = ["nvcc", "-std=c++17", "--expt-relaxed-constexpr", f"-arch={arch}", "-Xptxas", "-v",
               "-I", os.path.join(ROOT, "cuda/include"), "-I", os.path.join(ROOT, "cuda/src"),
               "-c", src, "-o", os.devnull]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"nvcc failed on {src}:\n{r.stderr}")
        entry = None
        for line in r.stderr.splitlines():
            m = re.search(r"Compiling entry function '(\S+)'", line)
            if m:
                entry = dict(file=os.path.basename(src), mangled=m.group(1), stack=0, spill_st=0, spill_ld=0,
                             regs=0, smem=0)
                continue
            if entry is None:
                continue
            m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
            if m:
                entry.update(stack=int(m.group(1)), spill_st=int(m.group(2)), spill_ld=int(m.group(3)))
            m = re.search(r"Used (\d+) registers", line)
            if m:
                entry["regs"] = int(m.group(1))
                s = re.search(r"(\d+) bytes smem", line)
                entry["smem"] = int(s.group(1)) if s else 0
                out.append(entry)
                entry = None
    names = subprocess.run(["c++filt"], input="\n".join(e["mangled"] for e in out), capture_output=True,
                           text=True).stdout.splitlines()
    for e, n in zip(out, names):
        e["name"] = n.replace("(anonymous namespace)::", "").split("(")[0].split("::")[-1]
    return out


def occupancy(regs, smem, threads):
    warps = math.ceil(threads / 32)
    regs_warp = math.ceil(regs * 32 / SM["reg_unit"]) * SM["reg_unit"]
    by_regs = (SM["regs"] // regs_warp) // warps if regs else SM["blocks"]
    by_threads = min(SM["blocks"], SM["warps"] // warps)
    smem_block = math.ceil((smem + SM["smem_reserved"]) / SM["smem_unit"]) * SM["smem_unit"]
    by_smem = SM["smem"] // smem_block
    blocks = min(by_regs, by_threads, by_smem)
    limit = min((by_threads, "threads"), (by_regs, "registers"), (by_smem, "shared memory"))[1]
    return blocks, blocks * warps / SM["warps"], limit


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="sm_90")
    args = ap.parse_args()
    rows = ptxas(args.arch)
    missing = [r["name"] for r in rows if r["name"] not in BLOCK]
    if missing:
        sys.exit(f"no block size known for {missing}: add them to BLOCK")
    print(f"| kernel | file | threads | registers | spills (st/ld B) | stack B | static smem B | blocks/SM | occupancy | limited by |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["file"], r["name"])):
        t = BLOCK[r["name"]]
        blocks, occ, limit = occupancy(r["regs"], r["smem"], t)
        print(f"| {r['name']} | {r['file']} | {t} | {r['regs']} | {r['spill_st']}/{r['spill_ld']} | {r['stack']} | "
              f"{r['smem']} | {blocks} | {occ:.0%} | {limit} |")


if __name__ == "__main__":
    main()
