"""Cross-checks `horkd losses` with an independent NumPy implementation of LOSSES.md.

Written in the broadcast style of the PyTorch reference code of RKD (explicit difference vectors,
O(m^2 d) and O(m^3) memory: fine for a check, not for training), in float64. It reads the same .npy
files, runs ./horkd on them and compares every value and, by central differences, some gradient entries.

    python3 examples/losses/check_with_numpy.py examples/losses/batch   # exit 0 iff all agree
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

EPS = 1e-12


def huber(x):
    a = np.abs(x)
    return np.where(a < 1, 0.5 * x * x, a - 0.5)


def pdist(x):
    diff = x[:, None, :] - x[None, :, :]
    sq = (diff ** 2).sum(-1)
    return np.sqrt(np.maximum(sq, EPS)), sq


def l2(g, f):
    m = len(g)
    off = ~np.eye(m, dtype=bool)
    dg, _ = pdist(g)
    df, _ = pdist(f)
    psi_g = dg / dg[off].mean()
    psi_f = df / df[off].mean()
    return ((psi_g - psi_f)[off] ** 2).mean()


def l3(g, f):
    def cosines(x):
        diff = x[None, :, :] - x[:, None, :]  # diff[j, i] = x_i - x_j: legs from vertex j
        sq = (diff ** 2).sum(-1, keepdims=True)
        unit = np.where(sq >= EPS, diff / np.sqrt(np.maximum(sq, EPS)), 0.0)
        return np.einsum("jid,jkd->ijk", unit, unit)  # cos[i, j, k], vertex j

    m = len(g)
    i, j, k = np.meshgrid(np.arange(m), np.arange(m), np.arange(m), indexing="ij")
    distinct = (i != j) & (j != k) & (i != k)
    return huber(cosines(g) - cosines(f))[distinct].mean()


def lc(x, f, centers):
    dx = np.sqrt(np.maximum(((x[:, None, :] - centers[None]) ** 2).sum(-1), EPS))
    df = np.sqrt(np.maximum(((f[:, None, :] - centers[None]) ** 2).sum(-1), EPS))
    return ((dx - df) ** 2).mean()


def main(folder):
    folder = Path(folder)
    load = lambda name: np.load(folder / name).astype(np.float64)
    g, f = load("student.npy"), load("teacher.npy")
    centers, projection = load("centers.npy"), load("projection.npy")
    w = np.array([1.0, 0.02, 0.01, 1.0])

    def terms(g_):
        x = g_ @ projection.T
        return np.array([np.abs(f - x).mean(), l2(g_, f), l3(g_, f), lc(x, f, centers)])

    grad_file = folder / "horkd_grad.npy"
    cmd = ["./horkd", "losses", "--student", folder / "student.npy", "--teacher", folder / "teacher.npy",
           "--centers", folder / "centers.npy", "--projection", folder / "projection.npy", "--grad-out", grad_file]
    out = json.loads(subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True).stdout)
    got = np.array([out["l1"], out["l2"], out["l3"], out["lc"]])
    want = terms(g)
    ok = True
    for name, a, b in zip(["l1", "l2", "l3", "lc"], got, want):
        rel = abs(a - b) / abs(b)
        ok &= rel < 1e-6
        print(f"{name}: horkd {a:.12g}  numpy {b:.12g}  relative difference {rel:.1e}")
    grad = np.load(grad_file)
    grad_file.unlink()
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(12):
        i, q = rng.integers(g.shape[0]), rng.integers(g.shape[1])
        h = 1e-6 * max(1.0, abs(g[i, q]))
        up, down = g.copy(), g.copy()
        up[i, q] += h
        down[i, q] -= h
        numeric = (w @ terms(up) - w @ terms(down)) / (2 * h)
        worst = max(worst, abs(numeric - grad[i, q]) / np.abs(grad).max())
    ok &= worst < 1e-4
    print(f"dL/dstudent: 12 entries against central differences, worst error {worst:.1e} of max |grad|")
    print("agree" if ok else "DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/losses/batch"))
