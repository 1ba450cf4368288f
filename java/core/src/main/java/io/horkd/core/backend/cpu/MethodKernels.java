package io.horkd.core.backend.cpu;

import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.backend.reference.ReferenceMethods.Maps;
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
 *       sample runs the float64 reference arithmetic of {@link ReferenceMethods} on its own row, in
 *       parallel over samples: {@code L = (1/m) sum_i L_i}, {@code dL/dx_i = (1/m) dL_i/dx_i};</li>
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

    /** Per-sample loss: value of a one-sample batch; gradient into {@code ds} ({@code dw} where it has one). */
    @FunctionalInterface
    private interface Sample {
        double run(int b, int i, double[] ds, double[] dw);
    }

    /**
     * The mean over samples of {@code sample}'s values per problem; {@code coef[b] / m} times its gradients
     * added to {@code gradS} (and, summed over samples and problems, to {@code gradW} of {@code wSize}).
     */
    private static double[] perSample(LossBackend backend, Features s, Features gradS, Features gradW, int wSize,
            double[] coef, long workPerSample, Sample sample) {
        Parallel par = par(backend);
        int batch = s.batch();
        int m = s.rows();
        int d = s.cols();
        double[] values = new double[batch];
        for (int b = 0; b < batch; b++) {
            final int pb = b;
            int[] bounds = Parallel.even(m, par.partsFor(m, workPerSample * m));
            int parts = bounds.length - 1;
            double[] partValues = new double[parts];
            double[][] partW = gradW == null ? null : new double[parts][wSize];
            double scale = coef == null ? 0 : coef[b] / m;
            par.run(bounds, (part, lo, hi) -> {
                double[] ds = new double[d];
                double[] dw = partW == null ? null : new double[wSize];
                for (int i = lo; i < hi; i++) {
                    java.util.Arrays.fill(ds, 0);
                    partValues[part] += sample.run(pb, i, gradS == null ? null : ds, dw);
                    if (gradS != null) {
                        FloatBuffer g = gradS.buffer();
                        int at = gradS.index(pb, i, 0);
                        for (int q = 0; q < d; q++) g.put(at + q, (float) (g.get(at + q) + scale * ds[q]));
                    }
                    if (dw != null) {
                        for (int q = 0; q < wSize; q++) partW[part][q] += dw[q];
                        java.util.Arrays.fill(dw, 0);
                    }
                }
            });
            double v = 0;
            for (double pv : partValues) v += pv;
            values[b] = v / m;
            if (gradW != null) {
                double[] w = new double[wSize];
                for (double[] pw : partW) for (int q = 0; q < wSize; q++) w[q] += pw[q];
                FloatBuffer g = gradW.buffer();
                int at = gradW.index(0, 0, 0);
                for (int q = 0; q < wSize; q++) g.put(at + q, (float) (g.get(at + q) + scale * w[q]));
            }
        }
        return values;
    }

    /** Sample i of problem b as a one-sample batch of maps. */
    private static Maps sample(Features f, MapShape shape, int b, int i) {
        double[] row = new double[shape.size()];
        FloatBuffer buf = f.buffer();
        int at = f.index(b, i, 0);
        for (int q = 0; q < row.length; q++) row[q] = buf.get(at + q);
        return new Maps(new double[][] {row}, shape.channels(), shape.height(), shape.width());
    }

    private static double[] row(Features f, int b, int i) {
        double[] row = new double[f.cols()];
        FloatBuffer buf = f.buffer();
        int at = f.index(b, i, 0);
        for (int q = 0; q < row.length; q++) row[q] = buf.get(at + q);
        return row;
    }

    private static void copy(double[] from, double[] to) {
        if (to != null) System.arraycopy(from, 0, to, 0, from.length);
    }

    /** AT at one stage ({@link ReferenceMethods#attention}). */
    public static double[] attention(LossBackend backend, Features s, MapShape sm, Features t, MapShape tm, Features gradS,
            double[] coef) {
        return perSample(backend, s, gradS, null, 0, coef, (long) sm.size() + tm.size(), (b, i, ds, dw) -> {
            ReferenceMethods.Value v = ReferenceMethods.attention(sample(s, sm, b, i), sample(t, tm, b, i));
            if (ds != null) copy(v.dStudent()[0], ds);
            return v.value();
        });
    }

    /** The FitNet hint at one stage, through the regressor {@code w [Ct, Cs]} when it is not null. */
    public static double[] hint(LossBackend backend, Features s, MapShape sm, Features t, MapShape tm, Features w,
            Features gradS, Features gradW, double[] coef) {
        double[][] wd = w == null ? null : w.problemAsDouble(0);
        long work = (long) sm.size() * (w == null ? 1 : w.rows()) + tm.size();
        return perSample(backend, s, gradS, w == null ? null : gradW, w == null ? 0 : w.size(), coef, work, (b, i, ds, dw) -> {
            if (wd == null) {
                ReferenceMethods.Value v = ReferenceMethods.hint(sample(s, sm, b, i), sample(t, tm, b, i));
                if (ds != null) copy(v.dStudent()[0], ds);
                return v.value();
            }
            ReferenceLosses.Result r = ReferenceMethods.hint(sample(s, sm, b, i), wd, sample(t, tm, b, i));
            if (ds != null) copy(r.dStudent()[0], ds);
            if (dw != null) {
                double[][] g = r.dProjection();
                for (int k = 0; k < g.length; k++) for (int c = 0; c < g[k].length; c++) dw[k * g[k].length + c] += g[k][c];
            }
            return r.value();
        });
    }

    /** DCT attention at one stage; {@code weights[b][i]} the gating (null: every sample counts). */
    public static double[] dctAttention(LossBackend backend, Features s, MapShape sm, Features t, MapShape tm,
            ReferenceMethods.Transform transform, double[][] weights, Features gradS, double[] coef) {
        long work = (long) sm.size() + tm.size() + (long) tm.positions() * (tm.height() + tm.width());
        return perSample(backend, s, gradS, null, 0, coef, work, (b, i, ds, dw) -> {
            double[] wi = weights == null ? null : new double[] {weights[b][i]};
            if (wi != null && wi[0] == 0) return 0;
            ReferenceMethods.Value v = ReferenceMethods.dctAttention(sample(s, sm, b, i), sample(t, tm, b, i), transform, wi);
            if (ds != null) copy(v.dStudent()[0], ds);
            return v.value();
        });
    }

    /** DKD on logits ({@link ReferenceMethods#dkd}). */
    public static double[] dkd(LossBackend backend, Features zs, Features zt, Labels labels, double alpha, double beta,
            double temperature, Features gradS, double[] coef) {
        return perSample(backend, zs, gradS, null, 0, coef, 16L * zs.cols(), (b, i, ds, dw) -> {
            ReferenceMethods.Value v = ReferenceMethods.dkd(new double[][] {row(zs, b, i)}, new double[][] {row(zt, b, i)},
                    new int[] {labels.get(b, i)}, alpha, beta, temperature);
            if (ds != null) copy(v.dStudent()[0], ds);
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
