"""GPU timings: horkd's CUDA relational losses against the PyTorch reference code of RKD.

The reference losses are benchmarks/torch_rkd.py's, as lenscloth/RKD's metric/loss.py writes them (and
torchdistill, RepDistiller and mdistiller copy them): pdist in matmul form for the distances, and for
the angles the broadcast differences [m, m, d], F.normalize and bmm into [m, m, m]. horkd gets the same
tensors through data_ptr() on torch's current stream. Both run forward and backward; times are the
median of CUDA-event timings after warm-up; memory is torch's peak (reference) and horkd's workspace.
Before timing a size, the two implementations' values and gradients are compared (RKD reductions).

    python3 benchmarks/gpu/bench_torch.py --lib build/gpu/libhorkd_cuda.so --out results.json
"""
import argparse
import ctypes
import json
import statistics
import sys
from pathlib import Path

import torch

# The reference code: benchmarks/torch_rkd.py (shared with the CPU comparison).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from torch_rkd import rkd_angle, rkd_distance  # noqa: E402

# ----------------------------------------------------------------------------- horkd through ctypes

HUBER, RKD = 2, 1
# Floating-point operations counted per ordered triplet of the angle loss (both passes, float64): the
# vertex pass does about 20 (two cosines 8, error and mask 2, Huber 4, clamp 2, two FMAs 4), the pair
# pass about 18 on half of the triplets (symmetry): 29 in all. Stated so that TFLOP/s can be recomputed.
FLOPS_PER_TRIPLET = 29
PEAKS = {"H100": (67.0, 34.0), "H200": (67.0, 34.0)}  # (FP32, FP64) TFLOP/s, SXM, non-tensor


class Horkd:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        p, i, d = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double)
        lib.horkd_workspace_create.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.horkd_workspace_bytes.argtypes = [p, ctypes.POINTER(ctypes.c_longlong), ctypes.POINTER(ctypes.c_longlong)]
        lib.horkd_relational.argtypes = [p, p, p, i, i, i, i, i, i, i, i, d, d, d, d, p, p]
        lib.horkd_last_error.restype = ctypes.c_char_p
        self.lib = lib
        self.ws = ctypes.c_void_p()
        self._check(lib.horkd_workspace_create(ctypes.byref(self.ws)), "horkd_workspace_create")
        self.values = (ctypes.c_double * 1)()

    def _check(self, status, call):
        if status != 0:
            raise RuntimeError(f"{call}: status {status}: {self.lib.horkd_last_error().decode()}")

    def loss(self, which, s, t, grad):
        """RKD distance or angle loss and its gradient (added to grad) on torch's current stream."""
        m, d = s.shape
        distance = HUBER if which == "distance" else 0
        angle = 1 if which == "angle" else 0
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        v = self.values
        self._check(self.lib.horkd_relational(self.ws, s.data_ptr(), t.data_ptr(), 1, m, d, t.shape[1], distance, RKD,
                                              angle, RKD, None, None, v if distance else None, v if angle else None,
                                              grad.data_ptr(), stream), "horkd_relational")
        return v[0]

    def workspace_bytes(self):
        dev, pin = ctypes.c_longlong(), ctypes.c_longlong()
        self.lib.horkd_workspace_bytes(self.ws, ctypes.byref(dev), ctypes.byref(pin))
        return dev.value


# ----------------------------------------------------------------------------- measurement


def median_ms(fn, budget_s=2.0):
    fn()  # warm-up (and allocation)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    end.synchronize()
    once = start.elapsed_time(end)
    repeats = max(3, min(50, int(budget_s * 1000 / max(once, 1e-3))))
    times = []
    for _ in range(repeats):
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times), repeats


def run_size(hk, which, m, d, seed=0):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    s0 = torch.randn(m, d, device="cuda", generator=gen)
    t = torch.randn(m, d, device="cuda", generator=gen) + 3.0
    ref_fn = rkd_distance if which == "distance" else rkd_angle
    row = {"loss": which, "m": m, "d": d}

    grad = torch.zeros_like(s0)
    hk_value = hk.loss(which, s0, t, grad)
    scratch_grad = torch.empty_like(s0)
    row["horkd_ms"], row["horkd_repeats"] = median_ms(lambda: hk.loss(which, s0, t, scratch_grad.zero_()))
    row["horkd_workspace_mib"] = hk.workspace_bytes() / 2**20
    if which == "angle":
        seconds = row["horkd_ms"] / 1e3
        row["tflops_fp64"] = FLOPS_PER_TRIPLET * m**3 / seconds / 1e12

    s = s0.clone().requires_grad_(True)

    def reference():
        s.grad = None
        ref_fn(s, t).backward()

    try:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        value = ref_fn(s, t)
        value.backward()
        row["reference_peak_mib"] = (torch.cuda.max_memory_allocated() - base) / 2**20
        row["value_rel_diff"] = abs(value.item() - hk_value) / abs(hk_value)
        row["grad_rel_diff"] = ((s.grad - grad).abs().max() / grad.abs().max()).item()
        row["reference_ms"], row["reference_repeats"] = median_ms(reference)
        row["speedup"] = row["reference_ms"] / row["horkd_ms"]
    except torch.cuda.OutOfMemoryError:
        row["reference_ms"] = None
        row["reference_error"] = "out of memory"
    finally:
        s.grad = None
        torch.cuda.empty_cache()
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", required=True, help="libhorkd_cuda.so built on this machine")
    ap.add_argument("--out", required=True, help="JSON results")
    ap.add_argument("--m", default="128,256,512,1024,2048,4096,16384")
    ap.add_argument("--d", default="128,512,2048")
    ap.add_argument("--loss", default="distance,angle")
    args = ap.parse_args()
    name = torch.cuda.get_device_name()
    gpu = next((k for k in PEAKS if k in name), None)
    print(f"{name}; torch {torch.__version__}; TF32 matmul {torch.backends.cuda.matmul.allow_tf32}", flush=True)
    hk = Horkd(args.lib)
    rows = []
    for which in args.loss.split(","):
        for m in map(int, args.m.split(",")):
            for d in map(int, args.d.split(",")):
                row = run_size(hk, which, m, d)
                if gpu and "tflops_fp64" in row:
                    row["fp64_peak_share"] = row["tflops_fp64"] / PEAKS[gpu][1]
                    row["fp32_peak_share"] = row["tflops_fp64"] / PEAKS[gpu][0]
                rows.append(row)
                print(json.dumps(row), flush=True)
    with open(args.out, "w") as f:
        json.dump({"device": name, "torch": torch.__version__, "flops_per_triplet": FLOPS_PER_TRIPLET, "rows": rows}, f,
                  indent=1)
    print("\n| loss | m | d | horkd ms | reference ms | speedup | ref peak MiB | horkd MiB | value diff | grad diff |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ref = f"{r['reference_ms']:.3f}" if r.get("reference_ms") else r.get("reference_error", "")
        sp = f"{r['speedup']:.1f}x" if r.get("speedup") else "-"
        print(f"| {r['loss']} | {r['m']} | {r['d']} | {r['horkd_ms']:.3f} | {ref} | {sp} | "
              f"{r.get('reference_peak_mib', float('nan')):.0f} | {r['horkd_workspace_mib']:.0f} | "
              f"{r.get('value_rel_diff', float('nan')):.1e} | {r.get('grad_rel_diff', float('nan')):.1e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
