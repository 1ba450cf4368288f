"""horkd's CPU backend against the PyTorch code people run today, side by side on one machine.

PyTorch runs benchmarks/torch_rkd.py (RKD's losses as lenscloth/RKD writes them, and the HORKD objective
in the same style) in this process; horkd runs in a JVM worker (io.horkd.benchmarks.PeerWorker) on the
same float32 inputs, written as .npy files. Per size:
  1. agreement: horkd's value and gradient against PyTorch's autograd in float64 on those inputs (where
     it fits in memory, else PyTorch in float32);
  2. peak memory: the growth of the resident high-water mark over one forward + backward pass, PyTorch
     in this process (the mark reset through /proc/self/clear_refs), horkd in a fresh JVM;
  3. timings, interleaved: rounds of one block of PyTorch passes and one of horkd's, in alternating order,
     after warm-up, so that machine noise hits both. Reported: the median pass and the quartiles.
Both sides use every core (torch.get_num_threads(), horkd's CpuBackend and OpenBLAS pool).

    benchmarks/torch-cpu/run.sh [--quick] [--loss distance,angle,horkd] [--m ...] [--d ...]
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import torch_rkd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch_resnet  # noqa: E402

# Sizes of the table (the issue's grid): the angle to 2048 (4096 takes horkd minutes a pass), HORKD at
# the training step's scale.
GRID = {
    "distance": ([64, 128, 256, 512, 1024, 2048, 4096], [128, 512, 2048]),
    "angle": ([64, 128, 256, 512, 1024, 2048], [128, 512, 2048]),
    "horkd": ([64, 128, 256], [128, 512]),
}
CLASSES = 10


def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return -1


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def available_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def torch_bytes(which, m, d, itemsize):
    """A generous estimate of PyTorch's peak for one pass: the angle's [m, m, d] and [m, m, m] tensors."""
    if which == "distance":
        return itemsize * (8 * m * m + 3 * m * d)
    if which == "angle":
        return itemsize * (5 * m * m * d + 5 * m ** 3)
    return itemsize * (6 * m * m * d + 6 * m ** 3 + 8 * m * m)


class Worker:
    """A PeerWorker JVM, without the library path that points PyTorch at OpenBLAS."""

    def __init__(self, jar, java_opts):
        env = dict(os.environ)
        env.pop("LD_LIBRARY_PATH", None)
        if os.environ.get("HORKD_LD_LIBRARY_PATH"):
            env["LD_LIBRARY_PATH"] = os.environ["HORKD_LD_LIBRARY_PATH"]
        self.proc = subprocess.Popen(["java", *java_opts, "-cp", jar, "io.horkd.benchmarks.PeerWorker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        while True:
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError(f"horkd's worker died on: {line}")
            if reply.startswith("@@ "):
                return json.loads(reply[3:])
            print(reply, end="", file=sys.stderr)  # the JVM's logs

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout=60)


def inputs(m, d, folder):
    rng = np.random.default_rng(1000 * m + d)
    s = rng.standard_normal((m, d), dtype=np.float32)
    t = (rng.standard_normal((m, d), dtype=np.float32) + 3).astype(np.float32)  # teachers sit off the origin
    labels = rng.integers(0, CLASSES, m).astype(np.int32)
    np.save(folder / "s.npy", s)
    np.save(folder / "t.npy", t)
    np.save(folder / "labels.npy", labels)
    return s, t, labels


def torch_pass(which, s, t, labels):
    s.grad = None
    torch_rkd.loss(which, s, t, labels).backward()


def agreement(which, s, t, labels, hk_value, hk_grad, dtype):
    s64 = torch.from_numpy(s).to(dtype).requires_grad_(True)
    value = torch_rkd.loss(which, s64, torch.from_numpy(t).to(dtype), torch.from_numpy(labels).long())
    value.backward()
    g = s64.grad.double().numpy()
    v = value.item()
    out = {"check_dtype": str(dtype).replace("torch.", ""), "value_torch": v,
           "value_rel_diff": abs(hk_value - v) / abs(v) if v else abs(hk_value),
           "grad_rel_diff": float(np.abs(hk_grad - g).max() / max(np.abs(g).max(), 1e-300))}
    del s64, value
    return out


def quartiles(xs):
    q = statistics.quantiles(xs, n=4) if len(xs) >= 2 else [xs[0]] * 3
    return q[0], statistics.median(xs), q[2]


def run_size(which, m, d, args, worker, folder):
    row = {"loss": which, "m": m, "d": d, "objective": torch_rkd.OBJECTIVES[which]}
    s, t, labels = inputs(m, d, folder)
    objective = torch_rkd.OBJECTIVES[which]
    budget = 0.6 * available_bytes()
    torch_fits = torch_bytes(which, m, d, 4) < budget
    row["torch_estimate_gib"] = torch_bytes(which, m, d, 4) / 2 ** 30

    # 1. agreement (this first pass of horkd's worker also compiles its code)
    reply = worker.ask(f"load {folder} {objective}")
    hk_value = reply["value"]
    hk_grad = np.load(folder / "grad.npy").astype(np.float64)
    row["value_horkd"] = hk_value
    if torch_bytes(which, m, d, 8) < budget:
        row.update(agreement(which, s, t, labels, hk_value, hk_grad, torch.float64))
    elif torch_fits:
        row.update(agreement(which, s, t, labels, hk_value, hk_grad, torch.float32))

    # 2. peak memory
    fresh = Worker(args.jar, args.java_opts)
    r = fresh.ask(f"load {folder} {objective}")
    fresh.close()
    row["horkd_peak_mib"] = (r["hwm_after"] - r["rss_before"]) / 2 ** 20
    st = torch.from_numpy(s).requires_grad_(True)
    tt = torch.from_numpy(t)
    lt = torch.from_numpy(labels).long()
    if torch_fits:
        reset_peak()
        base = status("VmRSS")
        torch_pass(which, st, tt, lt)
        st.grad = None
        row["torch_peak_mib"] = (status("VmHWM") - base) / 2 ** 20
    else:
        row["torch_error"] = f"not run: needs about {row['torch_estimate_gib']:.0f} GiB, {budget / 2 ** 30:.0f} GiB free"

    # 3. interleaved timings: a block is sized to about args.block seconds on each side
    def torch_block(n):
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            torch_pass(which, st, tt, lt)
            times.append((time.perf_counter() - t0) * 1e3)
        return times

    def horkd_block(n):
        return worker.ask(f"time {n}")["ms"]

    warm = max(1, min(200, int(args.warmup * 1e3 / max(horkd_block(1)[0], 1e-3))))
    once_h = statistics.median(horkd_block(warm))
    n_h = max(args.min_reps, min(200, int(args.block * 1e3 / max(once_h, 1e-3))))
    if torch_fits:
        once_t = torch_block(2)[-1]
        n_t = max(args.min_reps, min(200, int(args.block * 1e3 / max(once_t, 1e-3))))
    times_t, times_h = [], []
    for rnd in range(args.rounds):
        order = (0, 1) if rnd % 2 == 0 else (1, 0)
        for side in order:
            if side == 0 and torch_fits:
                times_t += torch_block(n_t)
            elif side == 1:
                times_h += horkd_block(n_h)
    row["horkd_ms"] = quartiles(times_h)
    row["horkd_reps"] = len(times_h)
    if times_t:
        row["torch_ms"] = quartiles(times_t)
        row["torch_reps"] = len(times_t)
        row["speedup"] = row["torch_ms"][1] / row["horkd_ms"][1]
    st.grad = None
    return row


def run_training(network, size, args, worker):
    """One CE training step (forward, backward, Nesterov SGD update) at batch 128, interleaved as above."""
    batch = 128
    hk_params = worker.ask(f"train {network} {size}")["params"]
    torch.manual_seed(0)
    net = torch_resnet.ResNet(network)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    xs = [torch.randn(batch, 1, size, size) for _ in range(8)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(8)]
    step = [0]

    def torch_block(n):
        times = []
        for _ in range(n):
            i = step[0] % 8
            step[0] += 1
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(net(xs[i]), ys[i]).backward()
            opt.step()
            times.append((time.perf_counter() - t0) * 1e3)
        return times

    def horkd_block(n):
        return worker.ask(f"time {n}")["ms"]

    horkd_block(max(5, int(args.warmup * 1e3 / max(horkd_block(1)[0], 1e-3))))  # JIT and oneDNN's primitive caches
    torch_block(5)
    n = max(args.min_reps, int(args.block * 2 * 1e3 / max(statistics.median(torch_block(3)), 1e-3)))
    times_t, times_h = [], []
    for rnd in range(args.rounds):
        for side in ((0, 1) if rnd % 2 == 0 else (1, 0)):
            if side == 0:
                times_t += torch_block(n)
            else:
                times_h += horkd_block(n)
    row = {"network": network, "size": size, "batch": batch, "horkd_params": hk_params,
           "torch_params": sum(p.numel() for p in net.parameters()), "horkd_ms": quartiles(times_h),
           "torch_ms": quartiles(times_t), "steps": len(times_h)}
    # where horkd's step goes, op type by op type (SameDiff's profiler; it slows the steps it records)
    row["horkd_profile"] = worker.ask(f"profile {max(5, n)} {args.out}/profile-{network}-{size}.json")
    row["horkd_img_s"] = batch / row["horkd_ms"][1] * 1e3
    row["torch_img_s"] = batch / row["torch_ms"][1] * 1e3
    row["ratio"] = row["horkd_img_s"] / row["torch_img_s"]
    return row


def training_table(rows):
    lines = ["| network | input | params (horkd / PyTorch) | PyTorch ms a step (quartiles) | horkd ms a step (quartiles) "
             "| PyTorch img/s | horkd img/s | horkd / PyTorch |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['network']} | {r['size']}x{r['size']} | {r['horkd_params']:,} / {r['torch_params']:,} "
                     f"| {fmt_ms(r['torch_ms'])} | {fmt_ms(r['horkd_ms'])} | {r['torch_img_s']:,.0f} "
                     f"| {r['horkd_img_s']:,.0f} | **{r['ratio']:.2f}x** |")
    for r in rows:
        p = r["horkd_profile"]
        top = ", ".join(f"{k} {v:.1f}" for k, v in list(p["ops"].items())[:6])
        rest = p["step_ms"] - sum(p["ops"].values())
        lines.append(f"\nhorkd {r['network']} {r['size']}x{r['size']}, ms a profiled step ({p['step_ms']:.1f}): {top}; "
                     f"outside the ops {rest:.1f}")
    return "\n".join(lines)


def fmt_ms(q):
    if q is None:
        return "-"
    lo, med, hi = q
    digits = 3 if med < 1 else 2 if med < 10 else 1 if med < 100 else 0
    return f"{med:,.{digits}f} ({lo:,.{digits}f}-{hi:,.{digits}f})"


def table(rows):
    lines = ["| loss | m | d | PyTorch ms (quartiles) | horkd ms (quartiles) | speed-up | PyTorch peak MiB | horkd peak MiB "
             "| value diff | grad diff |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        torch_ms = fmt_ms(r.get("torch_ms")) if r.get("torch_ms") else r.get("torch_error", "-")
        sp = f"**{r['speedup']:.1f}x**" if r.get("speedup") else "-"
        tp = f"{r['torch_peak_mib']:,.0f}" if "torch_peak_mib" in r else "-"
        chk = "" if r.get("check_dtype", "float64") == "float64" else " (f32)"
        vd = f"{r['value_rel_diff']:.0e}{chk}" if "value_rel_diff" in r else "-"
        gd = f"{r['grad_rel_diff']:.0e}{chk}" if "grad_rel_diff" in r else "-"
        lines.append(f"| {r['loss']} | {r['m']} | {r['d']} | {torch_ms} | {fmt_ms(r['horkd_ms'])} | {sp} | {tp} "
                     f"| {r['horkd_peak_mib']:,.0f} | {vd} | {gd} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True, help="benchmarks/target/benchmarks.jar")
    ap.add_argument("--out", required=True, help="folder for peer.json and table.md")
    ap.add_argument("--loss", default="distance,angle,horkd", help="losses to compare ('' for none)")
    ap.add_argument("--train", default="resnet8,resnet14", help="networks whose training step to compare ('' for none)")
    ap.add_argument("--m", help="comma-separated m (default: each loss's grid)")
    ap.add_argument("--d", help="comma-separated d (default: each loss's grid)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds per size")
    ap.add_argument("--block", type=float, default=0.4, help="seconds per block and side")
    ap.add_argument("--min-reps", type=int, default=2, help="passes per block at least")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of horkd warm-up (JIT) per size")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, 1 round: a smoke test")
    ap.add_argument("--java-opts", default="-Xmx16g", help="JVM options of horkd's worker")
    args = ap.parse_args()
    args.java_opts = args.java_opts.split()
    torch.set_num_threads(os.cpu_count())  # Debian's build counts physical cores: 1 on a 2-vCPU VM
    if args.quick:
        args.rounds, args.block, args.warmup, args.min_reps = 1, 0.05, 0.2, 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    blas = [l.strip() for l in torch.__config__.show().splitlines() if "BLAS" in l]
    header = {"date": datetime.date.today().isoformat(), "machine": platform.processor() or platform.machine(),
              "cpus": os.cpu_count(), "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
              "torch_blas": blas, "LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH", "")}
    print(json.dumps(header), flush=True)
    folder = Path(tempfile.mkdtemp(prefix="horkd-peer-"))
    worker = Worker(args.jar, args.java_opts)
    rows, train_rows = [], []
    try:
        for which in filter(None, args.loss.split(",")):
            ms, ds = GRID[which]
            if args.m:
                ms = [int(x) for x in args.m.split(",")]
            if args.d:
                ds = [int(x) for x in args.d.split(",")]
            if args.quick:
                ms, ds = [x for x in ms if x <= 128][:2], ds[:1]
            for m in ms:
                for d in ds:
                    row = run_size(which, m, d, args, worker, folder)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    (out / "peer.json").write_text(json.dumps({"header": header, "rows": rows}, indent=1))
        for network in filter(None, args.train.split(",")):
            for size in (28, 14):
                if args.quick and (network, size) != ("resnet8", 14):
                    continue
                train_rows.append(run_training(network, size, args, worker))
                print(json.dumps(train_rows[-1]), flush=True)
                (out / "peer.json").write_text(json.dumps({"header": header, "rows": rows, "training": train_rows}, indent=1))
    finally:
        worker.close()
        shutil.rmtree(folder, ignore_errors=True)
    md = (table(rows) if rows else "") + ("\n\n" + training_table(train_rows) if train_rows else "")
    (out / "table.md").write_text(md + "\n")
    print(md)
    bad = [r for r in rows if r.get("value_rel_diff", 0) > (1e-12 if r.get("check_dtype") == "float64" else 1e-4)
           or r.get("grad_rel_diff", 0) > (1e-5 if r.get("check_dtype") == "float64" else 1e-2)]
    for r in bad:
        print(f"DISAGREE: {r['loss']} m={r['m']} d={r['d']}: value {r.get('value_rel_diff')}, grad {r.get('grad_rel_diff')}",
              file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
