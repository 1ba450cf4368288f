"""Cross-checks the methods of `horkd losses --method` with an independent NumPy implementation of METHODS.md.

Written from METHODS.md and the public code it names (RepDistiller's AT, FitNet, SP and PKT, mdistiller's
DKD, the official DFTOurs.py of the DCT method; resolution-aware distillation's pair-wise constraint and
MMD, whose gradient holds the bandwidth constant, so its differences do too) in NumPy's broadcast style, in float64: the DFT's real
part comes from np.fft here (horkd evaluates it as two separable cosine/sine products), the DCT from an
explicit orthonormal basis, pooling from PyTorch's bin rule. For each method it writes fresh random
cross-resolution inputs (teacher maps larger than the student's), runs ./horkd on them, and compares the
value and, by central differences, random entries of the gradient file.

    python3 examples/losses/check_methods_with_numpy.py [SEED]   # exit 0 iff every method agrees

Without SEED it draws one (and prints it, so a failure can be replayed): every run checks fresh inputs.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

NORM_EPS = 1e-12  # torch.nn.functional.normalize
PKT_EPS = 1e-7    # RepDistiller's PKT


def pool(t, h, w):
    """adaptive_avg_pool2d: output cell (r, q) averages rows floor(rH/h)..ceil((r+1)H/h)-1 (and columns)."""
    m, c, big_h, big_w = t.shape
    out = np.empty((m, c, h, w))
    for r in range(h):
        y0, y1 = (r * big_h) // h, -((-(r + 1) * big_h) // h)
        for q in range(w):
            x0, x1 = (q * big_w) // w, -((-(q + 1) * big_w) // w)
            out[:, :, r, q] = t[:, :, y0:y1, x0:x1].mean(axis=(2, 3))
    return out


def at_loss(s, t):
    def att(f):
        q = (f ** 2).mean(axis=1).reshape(len(f), -1)
        return q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), NORM_EPS)
    return ((att(s) - att(pool(t, *s.shape[2:]))) ** 2).mean()


def fitnet_loss(s, t, r):
    regressed = np.einsum("kc,mchw->mkhw", r, s)
    return ((regressed - pool(t, *s.shape[2:])) ** 2).mean()


def minmax(x):
    lo = x.min(axis=(1, 2), keepdims=True)
    span = x.max(axis=(1, 2), keepdims=True) - lo
    return np.where(span > 0, (x - lo) / np.where(span > 0, span, 1), 0.0)


def dct_matrix(n):
    u, x = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    d = np.sqrt(2.0 / n) * np.cos(np.pi * (2 * x + 1) * u / (2 * n))
    d[0] /= np.sqrt(2.0)
    return d


def coefficients(f, transform, h, w):
    a = minmax((f ** 2).mean(axis=1))
    a = a - a.mean(axis=(1, 2), keepdims=True)
    if transform == "dct":
        k = np.einsum("uy,myx,vx->muv", dct_matrix(a.shape[1]), a, dct_matrix(a.shape[2]))
    else:
        k = np.fft.fft2(a).real
    return minmax(k[:, :h, :w])


def dct_loss(s, t, transform, weights):
    h, w = s.shape[2:]
    diff = coefficients(s, transform, h, w) - coefficients(t, transform, h, w)
    return (weights * np.sqrt((diff ** 2).sum(axis=(1, 2)))).mean()


def sp_loss(s, t):
    def sim(f):
        f = f.reshape(len(f), -1)
        g = f @ f.T
        return g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), NORM_EPS)
    return ((sim(t) - sim(s)) ** 2).sum() / len(s) ** 2


def pkt_loss(g, f):
    def probabilities(x):
        x = x / (np.linalg.norm(x, axis=1, keepdims=True) + PKT_EPS)
        k = (x @ x.T + 1) / 2
        return k / k.sum(axis=1, keepdims=True)
    pt, ps = probabilities(f), probabilities(g)
    return (pt * np.log((pt + PKT_EPS) / (ps + PKT_EPS))).mean()


def pairwise_loss(g, f):
    def cosines(x):
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        return x @ x.T
    off = ~np.eye(len(g), dtype=bool)
    return ((cosines(g) - cosines(f))[off] ** 2).mean()


def mmd_bandwidth(x, f):
    z = np.vstack([x, f])
    d = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    return d.sum() / (len(z) * (len(z) - 1))


def mmd_loss(g, p, f, beta):
    """Biased MMD^2 of {P g_i} and {f_i}, five Gaussian kernels at beta times 1/4 .. 4 (beta given: held constant)."""
    x = g @ p.T
    def k(a, b):
        d = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return sum(np.exp(-d / (q * beta)) for q in (0.25, 0.5, 1.0, 2.0, 4.0))
    return k(x, x).mean() + k(f, f).mean() - 2 * k(x, f).mean()


def dkd_loss(zs, zt, labels, alpha=1.0, beta=8.0, temperature=4.0):
    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def kl(target, log_input):  # torch.kl_div(..., reduction='sum'): 0 where the target is 0
        safe = np.where(target > 0, target, 1.0)
        return np.where(target > 0, target * (np.log(safe) - log_input), 0.0).sum()

    m = len(zs)
    gt = np.zeros_like(zs)
    gt[np.arange(m), labels] = 1
    ps, pt = softmax(zs / temperature), softmax(zt / temperature)
    bs = np.stack([(ps * gt).sum(1), (ps * (1 - gt)).sum(1)], axis=1)
    bt = np.stack([(pt * gt).sum(1), (pt * (1 - gt)).sum(1)], axis=1)
    tckd = kl(bt, np.log(bs)) * temperature ** 2 / m
    us, ut = zs / temperature - 1000 * gt, zt / temperature - 1000 * gt
    log_qs = us - us.max(1, keepdims=True) - np.log(np.exp(us - us.max(1, keepdims=True)).sum(1, keepdims=True))
    nckd = kl(softmax(ut), log_qs) * temperature ** 2 / m
    return alpha * tckd + beta * nckd


def run_horkd(args):
    out = subprocess.run(["./horkd", "losses", "--backend", "cpu", *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def check(name, value, loss, x, grad, rng, probes=12):
    """value against loss(x), and probes entries of grad against central differences of loss."""
    want = loss(x)
    rel = abs(value - want) / max(abs(want), 1e-300)
    worst = 0.0
    scale = max(np.abs(grad).max(), 1e-30)
    for _ in range(probes):
        idx = tuple(rng.integers(n) for n in x.shape)
        h = 1e-6 * max(1.0, abs(x[idx]))
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        numeric = (loss(up) - loss(down)) / (2 * h)
        worst = max(worst, abs(numeric - grad[idx]) / scale)
    ok = rel < 1e-6 and worst < 1e-4
    print(f"{name:9s} horkd {value:.12g}  numpy {want:.12g}  relative difference {rel:.1e}; "
          f"{probes} gradient entries, worst error {worst:.1e} of max |grad|  {'ok' if ok else 'DISAGREE'}")
    return ok


def main(seed):
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    m, cs, hs, ws, ct, ht, wt, classes = 12, 4, 5, 6, 6, 11, 13, 5
    f32 = lambda *shape, scale=1.0, offset=0.0: (offset + scale * rng.standard_normal(shape)).astype(np.float32).astype(np.float64)
    s, t = f32(m, cs, hs, ws, offset=0.3), f32(m, ct, ht, wt, scale=2.0, offset=-0.5)
    r = f32(ct, cs, scale=0.5)
    zs, zt = f32(m, classes, scale=2.0), f32(m, classes, scale=3.0)
    labels = rng.integers(0, classes, m).astype(np.int32)
    g, f = f32(m, 10), f32(m, 16, offset=1.0)
    p = f32(16, 10, scale=0.4)
    beta = mmd_bandwidth(g @ p.T, f)  # MMD's gradient holds the bandwidth at its value here (METHODS.md)
    right = (zt.argmax(axis=1) == labels).astype(np.float64)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for name, array in {"sm": s, "tm": t, "r": r, "zs": zs, "zt": zt, "g": g, "f": f, "p": p}.items():
            np.save(d / f"{name}.npy", array.astype(np.float32))
        np.save(d / "labels.npy", labels)
        maps = ["--student-maps", d / "sm.npy", "--teacher-maps", d / "tm.npy"]
        gate = ["--teacher-logits", d / "zt.npy", "--labels", d / "labels.npy"]
        cases = [
            ("at", maps, "at", s, lambda x: at_loss(x, t)),
            ("fitnet", maps + ["--regressor", d / "r.npy"], "fitnet", s, lambda x: fitnet_loss(x, t, r)),
            ("dct", maps + gate, "dct", s, lambda x: dct_loss(x, t, "dct", right)),
            ("dft", maps + gate, "dct", s, lambda x: dct_loss(x, t, "dft", right)),
            ("dct", maps, "dct", s, lambda x: dct_loss(x, t, "dct", np.ones(m))),
            ("sp", maps, "sp", s, lambda x: sp_loss(x, t)),
            ("pkt", ["--student", d / "g.npy", "--teacher", d / "f.npy"], "pkt", g, lambda x: pkt_loss(x, f)),
            ("pairwise", ["--student", d / "g.npy", "--teacher", d / "f.npy"], "pairwise", g, lambda x: pairwise_loss(x, f)),
            ("mmd", ["--student", d / "g.npy", "--teacher", d / "f.npy", "--projection", d / "p.npy"], "mmd", g,
             lambda x: mmd_loss(x, p, f, beta)),
            ("dkd", ["--student-logits", d / "zs.npy", "--teacher-logits", d / "zt.npy", "--labels", d / "labels.npy"],
             "dkd", zs, lambda x: dkd_loss(x, zt, labels)),
        ]
        print(f"{int(right.sum())} of {m} samples gated in (the teacher's top-1 is right)")
        for method, args, key, x, loss in cases:
            grad_file = d / "grad.npy"
            out = run_horkd(["--method", method, "--grad-out", grad_file, *args])
            label = method + ("" if method not in ("dct", "dft") or "--labels" in map(str, args) else "/all")
            ok &= check(label, out[key], loss, x, np.load(grad_file).astype(np.float64), rng)
        # FitNet's regressor gets its gradient too.
        out = run_horkd(["--method", "fitnet", "--projection-grad-out", d / "gr.npy", *maps, "--regressor", d / "r.npy"])
        ok &= check("fitnet/r", out["fitnet"], lambda x: fitnet_loss(s, t, x), r, np.load(d / "gr.npy").astype(np.float64), rng)
        # And MMD's projection.
        out = run_horkd(["--method", "mmd", "--projection-grad-out", d / "gp.npy", "--student", d / "g.npy", "--teacher", d / "f.npy",
                         "--projection", d / "p.npy"])
        ok &= check("mmd/P", out["mmd"], lambda x: mmd_loss(g, x, f, beta), p, np.load(d / "gp.npy").astype(np.float64), rng)
    print("agree" if ok else "DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else int(np.random.SeedSequence().entropy % 2**32)))
