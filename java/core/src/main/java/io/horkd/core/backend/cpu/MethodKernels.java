package io.horkd.core.backend.cpu;

import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.tensor.MapShape;
import java.nio.FloatBuffer;

/**
 * The fast float32 paths of the methods beside HORKD ({@code METHODS.md}): float32 in and out, float64
 * inside, work split over the CPU backend's threads, no copy of a whole mini-batch into float64.
 * <ul>
 *   <li>AT, the FitNet hint, DCT attention and DKD are means over samples of per-sample losses, so each
 *       sample runs the float64 arithmetic of {@link ReferenceMethods}' per-sample functions on its own
 *       row, in parallel over samples: {@code L = (1/m) sum_i L_i}, {@code dL/dx_i = (1/m) dL_i/dx_i}. A
 *       sample's maps are read in bulk into per-thread scratch and pooled on the fly ({@link MapRows});
 *       its gradient row is written in place;</li>
 *   <li>SP and PKT couple the samples through an {@code m x m} Gram matrix, computed (and the gradient
 *       {@code (dG + dG^T) X}) with {@link Gemm}.</li>
 * </ul>
 * Per-part sums are added in part order, so results are bit-identical run to run for a thread count.
 */
public final class MethodKernels {
    private MethodKernels() {}

    /** The CPU backend's pool where {@code backend} is one, else the default CPU backend's. */
    private static Parallel par(LossBackend backend) {
        return (backend instanceof CpuBackend c ? c : io.horkd.core.backend.Backends.cpu()).par();
    }

    /**
     * A mean over samples of per-sample losses that write their own gradient rows: each part of the
     * samples gets its own {@code worker.apply(part)} (its scratch), which returns sample i's loss and adds
     * {@code scale} times its gradient to that sample's rows ({@code scale = coef[b] / m}; NaN: no gradient).
     */
    private static double[] perSampleRows(LossBackend backend, Features s, double[] coef, long workPerSample,
            java.util.function.IntFunction<RowWorker> worker) {
        Parallel par = par(backend);
        int m = s.rows();
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            final int pb = b;
            int[] bounds = Parallel.even(m, par.partsFor(m, workPerSample * m));
            double[] partValues = new double[bounds.length - 1];
            double scale = coef == null ? 0 : coef[b] / m;
            par.run(bounds, (part, lo, hi) -> {
                RowWorker work = worker.apply(part);
                for (int i = lo; i < hi; i++) partValues[part] += work.run(pb, i, coef == null ? Double.NaN : scale);
            });
            double v = 0;
            for (double pv : partValues) v += pv;
            values[b] = v / m;
        }
        return values;
    }

    /** Sample i of problem b: its loss, and (unless {@code scale} is NaN: no gradient) scale times its gradient added. */
    @FunctionalInterface
    private interface RowWorker {
        double run(int b, int i, double scale);
    }

    /**
     * AT at one stage ({@link ReferenceMethods#attention}, per sample {@link ReferenceMethods#attentionSample}):
     * {@code q} of the student's row and of the teacher's pooled to the student's size, straight from the
     * float32 buffers ({@link MapRows}).
     */
    public static double[] attention(LossBackend backend, Features s, MapShape sm, Features t, MapShape tm, Features gradS,
            double[] coef) {
        int n = sm.positions();
        return perSampleRows(backend, s, gradS == null ? null : coef, (long) sm.size() + tm.size(), part -> {
            MapRows student = new MapRows(sm);
            MapRows teacher = new MapRows(tm, sm.height(), sm.width());
            double[] qs = new double[n];
            double[] qt = new double[n];
            double[] dq = new double[n];
            return (b, i, scale) -> {
                student.read(s, b, i);
                student.meanOfSquares(qs);
                teacher.read(t, b, i);
                teacher.meanOfSquares(qt);
                boolean grad = !Double.isNaN(scale);
                double value = ReferenceMethods.attentionSample(qs, qt, n, grad ? dq : null) / n;
                if (grad) student.addGradient(dq, scale, gradS, b, i);
                return value;
            };
        });
    }

    /**
     * The FitNet hint at one stage ({@link ReferenceMethods#hint}), through the regressor {@code w [Ct, Cs]}
     * (a 1x1 convolution) when it is not null: per sample {@code r = W F^s}, {@code e = 2 (r - pool(F^t)) / N}
     * ({@code N = Ct h w}), {@code dL/dF^s = W^T e}, {@code dL/dW = e F^s^T} summed over samples.
     */
    public static double[] hint(LossBackend backend, Features s, MapShape sm, Features t, MapShape tm, Features w,
            Features gradS, Features gradW, double[] coef) {
        double[][] wd = w == null ? null : w.problemAsDouble(0);
        int n = sm.positions();
        int cs = sm.channels();
        int ct = tm.channels();
        double count = (double) ct * n;
        boolean grad = coef != null && (gradS != null || gradW != null);
        double[][] partW = wd == null || gradW == null || !grad ? null : new double[s.rows()][];
        long work = (long) sm.size() * (w == null ? 1 : w.rows()) + tm.size();
        double[] values = perSampleRows(backend, s, grad ? coef : null, work, part -> {
                MapRows student = new MapRows(sm);
                MapRows teacher = new MapRows(tm, sm.height(), sm.width());
                double[] target = new double[ct * n];
                double[] r = new double[ct * n];
                double[] ds = new double[cs * n];
                return (b, i, scale) -> {
                    float[] x = student.read(s, b, i);
                    teacher.read(t, b, i);
                    teacher.pool(target);
                    if (wd == null) {
                        for (int q = 0; q < r.length; q++) r[q] = x[q];
                    } else {
                        java.util.Arrays.fill(r, 0);
                        for (int k = 0; k < ct; k++) {
                            for (int c = 0; c < cs; c++) {
                                for (int p = 0; p < n; p++) r[k * n + p] += wd[k][c] * x[c * n + p];
                            }
                        }
                    }
                    double value = 0;
                    for (int q = 0; q < r.length; q++) {
                        double diff = r[q] - target[q];
                        value += diff * diff;
                        r[q] = 2 * diff / count; // e = dL/dr
                    }
                    if (!Double.isNaN(scale)) {
                        if (wd == null) {
                            System.arraycopy(r, 0, ds, 0, ds.length);
                        } else {
                            java.util.Arrays.fill(ds, 0);
                            double[] dw = partW == null ? null : partW[part] == null ? (partW[part] = new double[ct * cs]) : partW[part];
                            for (int k = 0; k < ct; k++) {
                                for (int c = 0; c < cs; c++) {
                                    double acc = 0;
                                    for (int p = 0; p < n; p++) {
                                        double g = r[k * n + p];
                                        ds[c * n + p] += wd[k][c] * g;
                                        acc += g * x[c * n + p];
                                    }
                                    if (dw != null) dw[k * cs + c] += scale * acc;
                                }
                            }
                        }
                        if (gradS != null) addRow(gradS, b, i, ds, scale);
                    }
                    return value / count;
                };
            });
        if (partW != null) { // summed over samples and problems in part order, rounded once
            FloatBuffer g = gradW.buffer();
            int at = gradW.index(0, 0, 0);
            for (int q = 0; q < ct * cs; q++) {
                double acc = 0;
                for (double[] pw : partW) if (pw != null) acc += pw[q];
                g.put(at + q, (float) (g.get(at + q) + acc));
            }
        }
        return values;
    }

    private static double[] row(Features f, int b, int i) {
        double[] row = new double[f.cols()];
        FloatBuffer buf = f.buffer();
        int at = f.index(b, i, 0);
        for (int q = 0; q < row.length; q++) row[q] = buf.get(at + q);
        return row;
    }

    /** Adds {@code scale * d} to row i of problem b. */
    private static void addRow(Features grad, int b, int i, double[] d, double scale) {
        FloatBuffer g = grad.buffer();
        int at = grad.index(b, i, 0);
        for (int q = 0; q < d.length; q++) g.put(at + q, (float) (g.get(at + q) + scale * d[q]));
    }

    /**
     * DCT attention at one stage ({@link ReferenceMethods#dctSample} per sample, the attention maps read
     * by {@link MapRows}); {@code weights[b][i]} the gating (null: every sample counts).
     */
    public static double[] dctAttention(LossBackend backend, Features s, MapShape sm, Features t, MapShape tm,
            ReferenceMethods.Transform transform, double[][] weights, Features gradS, double[] coef) {
        long work = (long) sm.size() + tm.size() + (long) tm.positions() * (tm.height() + tm.width());
        return perSampleRows(backend, s, gradS == null ? null : coef, work, part -> {
            MapRows student = new MapRows(sm);
            MapRows teacher = new MapRows(tm);
            double[] a = new double[sm.positions()];
            double[] aT = new double[tm.positions()];
            double[] da = new double[sm.positions()];
            return (b, i, scale) -> {
                double wi = weights == null ? 1 : weights[b][i];
                if (wi == 0) return 0;
                student.read(s, b, i);
                student.meanOfSquares(a);
                teacher.read(t, b, i);
                teacher.meanOfSquares(aT);
                boolean grad = !Double.isNaN(scale);
                double dist = ReferenceMethods.dctSample(a, sm.height(), sm.width(), aT, tm.height(), tm.width(), transform,
                        grad ? wi : 0, da);
                if (grad) student.addGradient(da, scale, gradS, b, i);
                return wi * dist;
            };
        });
    }

    /** DKD on logits ({@link ReferenceMethods#dkd} on each sample as a batch of one). */
    public static double[] dkd(LossBackend backend, Features zs, Features zt, Labels labels, double alpha, double beta,
            double temperature, Features gradS, double[] coef) {
        return perSampleRows(backend, zs, gradS == null ? null : coef, 16L * zs.cols(), part -> (b, i, scale) -> {
            ReferenceMethods.Value v = ReferenceMethods.dkd(new double[][] {row(zs, b, i)}, new double[][] {row(zt, b, i)},
                    new int[] {labels.get(b, i)}, alpha, beta, temperature);
            if (!Double.isNaN(scale)) addRow(gradS, b, i, v.dStudent()[0], scale);
            return v.value();
        });
    }

    /**
     * SP ({@link ReferenceMethods#similarity}): {@code G = F F^T} by {@link Gemm}, rows normalised,
     * {@code L = |Ghat^t - Ghat^s|_F^2 / m^2}; {@code dL/dF = (dG + dG^T) F}.
     */
    public static double[] similarity(LossBackend backend, Features s, Features t, Features gradS, double[] coef) {
        Parallel par = par(backend);
        int m = s.rows();
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            double[][] fs = Gemm.rows(s, b);
            double[][] gs = Gemm.gram(fs, par);
            double[][] gt = Gemm.gram(Gemm.rows(t, b), par);
            double value = 0;
            double[][] dg = new double[m][m];
            for (int i = 0; i < m; i++) {
                double ns = norm(gs[i]);
                double nt = norm(gt[i]);
                double cs = 1 / Math.max(ns, NORMALIZE_EPS);
                double ct = 1 / Math.max(nt, NORMALIZE_EPS);
                double dot = 0;
                double[] h = new double[m];
                for (int j = 0; j < m; j++) {
                    double diff = gt[i][j] * ct - gs[i][j] * cs;
                    value += diff * diff;
                    h[j] = -2 * diff / ((double) m * m);
                    dot += gs[i][j] * cs * h[j];
                }
                for (int j = 0; j < m; j++) {
                    dg[i][j] = ns <= NORMALIZE_EPS ? h[j] / NORMALIZE_EPS : (h[j] - gs[i][j] * cs * dot) / ns;
                }
            }
            values[b] = value / ((double) m * m);
            if (gradS != null) {
                double[][] sym = new double[m][m];
                for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) sym[i][j] = dg[i][j] + dg[j][i];
                double[][] df = new double[m][fs[0].length];
                Gemm.multiplyAdd(sym, fs, df, par);
                Gradients.add(gradS, b, df, coef[b]);
            }
        }
        return values;
    }

    /**
     * PKT ({@link ReferenceMethods#pkt}) on pooled features, its {@code m x m} similarities by {@link Gemm}.
     */
    public static double[] pkt(LossBackend backend, Features s, Features t, Features gradS, double[] coef) {
        Parallel par = par(backend);
        int m = s.rows();
        int d = s.cols();
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            double[][] g = Gemm.rows(s, b);
            double[] norms = new double[m];
            double[][] xs = new double[m][];
            for (int i = 0; i < m; i++) {
                norms[i] = norm(g[i]);
                xs[i] = scaled(g[i], 1 / (norms[i] + PKT_EPS));
            }
            double[][] f = Gemm.rows(t, b);
            double[][] xt = new double[m][];
            for (int i = 0; i < m; i++) xt[i] = scaled(f[i], 1 / (norm(f[i]) + PKT_EPS));
            double[][] ss = half(Gemm.gram(xs, par));
            double[][] st = half(Gemm.gram(xt, par));
            double mm = (double) m * m;
            double value = 0;
            double[][] dsim = new double[m][m];
            for (int i = 0; i < m; i++) {
                double rs = 0;
                double rt = 0;
                for (int j = 0; j < m; j++) {
                    rs += ss[i][j];
                    rt += st[i][j];
                }
                double dot = 0;
                double[] dp = new double[m];
                for (int j = 0; j < m; j++) {
                    double ps = ss[i][j] / rs;
                    double pt = st[i][j] / rt;
                    value += pt * Math.log((pt + PKT_EPS) / (ps + PKT_EPS));
                    dp[j] = -pt / (ps + PKT_EPS) / mm;
                    dot += dp[j] * ps;
                }
                for (int j = 0; j < m; j++) dsim[i][j] = (dp[j] - dot) / rs;
            }
            values[b] = value / mm;
            if (gradS != null) {
                double[][] sym = new double[m][m];
                for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) sym[i][j] = (dsim[i][j] + dsim[j][i]) / 2;
                double[][] h = new double[m][d];
                Gemm.multiplyAdd(sym, xs, h, par);
                double[][] dg = new double[m][d];
                for (int i = 0; i < m; i++) {
                    double n = norms[i];
                    if (n == 0) continue;
                    double gh = Gemm.dot(g[i], h[i]);
                    for (int k = 0; k < d; k++) dg[i][k] = h[i][k] / (n + PKT_EPS) - g[i][k] * gh / (n * (n + PKT_EPS) * (n + PKT_EPS));
                }
                Gradients.add(gradS, b, dg, coef[b]);
            }
        }
        return values;
    }

    /** torch.nn.functional.normalize's floor on the norm (as {@link ReferenceMethods}). */
    private static final double NORMALIZE_EPS = 1e-12;
    /** RepDistiller's PKT epsilon (as {@link ReferenceMethods}). */
    private static final double PKT_EPS = 1e-7;

    private static double norm(double[] v) {
        return Math.sqrt(Gemm.dot(v, v));
    }

    private static double[] scaled(double[] v, double c) {
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) out[k] = v[k] * c;
        return out;
    }

    private static double[][] half(double[][] g) {
        for (double[] row : g) for (int j = 0; j < row.length; j++) row[j] = (row[j] + 1) / 2;
        return g;
    }
}
