package io.horkd.core.backend.reference;

import io.horkd.core.backend.reference.ReferenceMethods.Value;

/**
 * The cross-resolution terms of resolution-aware distillation ({@code rakd}, seed 002; METHODS.md,
 * "Resolution-aware distillation") in float64, each value with its gradient: the pair-wise constraint on
 * cosine-similarity matrices and the multi-kernel Gaussian MMD^2. Written for clarity (every pair
 * explicitly, distances as sums of squared differences) and checked by finite differences; the fast
 * paths are tested against these. Student features {@code g [m, ds]}, teacher features {@code f [m, dt]}.
 */
public final class ReferenceRakd {
    private ReferenceRakd() {}

    /** The bandwidth multipliers of MMD's five Gaussian kernels. */
    public static final double[] SCALES = {0.25, 0.5, 1, 2, 4};

    // ---------------------------------------------------------------------------------------------
    // Pair-wise constraint

    /**
     * {@code L = mean over i != j of (cos(g_i, g_j) - cos(f_i, f_j))^2}, with {@code cos(a, b) = a^ . b^}
     * and {@code a^ = a / max(|a|, 1e-12)}; 0 for m < 2 (no pair). Backward: {@code E_ij = dL/dC^s_ij =
     * 2 (C^s_ij - C^t_ij) / (m (m - 1))} off the diagonal, {@code dL/dg^_i = 2 sum_j E_ij g^_j} (E is
     * symmetric), then through the normalisation {@code dL/dg_i = (e - g^ (g^ . e)) / |g_i|}.
     */
    public static Value pairwise(double[][] g, double[][] f) {
        requireSamples(g, f);
        int m = g.length;
        double[][] dg = new double[m][g.length == 0 ? 0 : g[0].length];
        if (m < 2) return new Value(0, dg);
        double[][] gh = new double[m][];
        double[][] fh = new double[m][];
        double[] gn = new double[m];
        for (int i = 0; i < m; i++) {
            gn[i] = ReferenceMethods.norm(g[i]);
            gh[i] = ReferenceMethods.scaled(g[i], 1 / Math.max(gn[i], ReferenceMethods.NORMALIZE_EPS));
            fh[i] = ReferenceMethods.scaled(f[i], 1 / Math.max(ReferenceMethods.norm(f[i]), ReferenceMethods.NORMALIZE_EPS));
        }
        double pairs = (double) m * (m - 1);
        double value = 0;
        for (int i = 0; i < m; i++) {
            double[] e = new double[gh[i].length];
            for (int j = 0; j < m; j++) {
                if (j == i) continue;
                double diff = dot(gh[i], gh[j]) - dot(fh[i], fh[j]);
                value += diff * diff;
                double eij = 2 * diff / pairs;
                for (int k = 0; k < e.length; k++) e[k] += 2 * eij * gh[j][k];
            }
            dg[i] = ReferenceMethods.normalizeBackward(gh[i], e, gn[i]); // torch.nn.functional.normalize's floor, as AT's
        }
        return new Value(value / pairs, dg);
    }

    // ---------------------------------------------------------------------------------------------
    // MMD

    /**
     * The biased multi-kernel MMD^2 between {@code x_i = P g_i} ({@code g_i} itself when {@code p} is null)
     * and the teacher's {@code f_i}: {@code (1/m^2) sum_ij [K(x_i, x_j) + K(f_i, f_j) - 2 K(x_i, f_j)]},
     * {@code K(a, b) = sum_q exp(-|a - b|^2 / (s_q beta))}, {@code s_q} in {@link #SCALES}, {@code beta} the
     * mean squared distance over the ordered pairs of distinct points of the pooled {@code 2m} points, held
     * constant (no gradient through it). All points equal ({@code beta = 0}): 0, zero gradient. Backward,
     * with {@code k'(d2) = -sum_q exp(-d2 / (s_q beta)) / (s_q beta)} (dK/d|a - b|^2):
     * {@code dL/dx_a = (4/m^2) [sum_j k'(|x_a - x_j|^2) (x_a - x_j) - sum_j k'(|x_a - f_j|^2) (x_a - f_j)]},
     * {@code dL/dg_a = P^T dL/dx_a}, {@code dL/dP = sum_a dL/dx_a g_a^T}.
     */
    public static ReferenceLosses.Result mmd(double[][] g, double[][] p, double[][] f) {
        return mmd(g, p, f, Double.NaN);
    }

    /** {@link #mmd} with the bandwidth {@code beta} given (NaN: the data's, as METHODS.md defines it). */
    public static ReferenceLosses.Result mmd(double[][] g, double[][] p, double[][] f, double beta) {
        requireSamples(g, f);
        int m = g.length;
        int ds = g[0].length;
        double[][] x = new double[m][];
        for (int i = 0; i < m; i++) x[i] = p == null ? g[i].clone() : times(p, g[i]);
        int dt = x[0].length;
        if (f[0].length != dt) {
            throw new IllegalArgumentException("MMD compares the student's (projected) " + dt + "-d features with the teacher's "
                    + f[0].length + "-d ones");
        }
        double[][] dg = new double[m][ds];
        double[][] dp = p == null ? null : new double[dt][ds];
        if (Double.isNaN(beta)) beta = bandwidth(x, f);
        if (beta == 0) return new ReferenceLosses.Result(0, dg, dp);
        double value = 0;
        double[][] dx = new double[m][dt];
        double c = 4.0 / ((double) m * m);
        for (int a = 0; a < m; a++) {
            for (int j = 0; j < m; j++) {
                double dxx = sqDist(x[a], x[j]);
                double dff = sqDist(f[a], f[j]);
                double dxf = sqDist(x[a], f[j]);
                value += kernel(dxx, beta) + kernel(dff, beta) - 2 * kernel(dxf, beta);
                double wxx = kernelSlope(dxx, beta);
                double wxf = kernelSlope(dxf, beta);
                for (int k = 0; k < dt; k++) dx[a][k] += c * (wxx * (x[a][k] - x[j][k]) - wxf * (x[a][k] - f[j][k]));
            }
        }
        for (int a = 0; a < m; a++) {
            if (p == null) {
                dg[a] = dx[a];
                continue;
            }
            for (int k = 0; k < dt; k++) {
                for (int q = 0; q < ds; q++) {
                    dg[a][q] += p[k][q] * dx[a][k];
                    dp[k][q] += dx[a][k] * g[a][q];
                }
            }
        }
        return new ReferenceLosses.Result(value / ((double) m * m), dg, dp);
    }

    /** MMD's {@code beta}: the mean squared distance over ordered pairs of distinct points of {@code x} and {@code y} together. */
    public static double bandwidth(double[][] x, double[][] y) {
        int n = x.length + y.length;
        if (n < 2) return 0;
        double sum = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a != b) sum += sqDist(a < x.length ? x[a] : y[a - x.length], b < x.length ? x[b] : y[b - x.length]);
            }
        }
        return sum / ((double) n * (n - 1));
    }

    /** {@code K(d2) = sum_q exp(-d2 / (s_q beta))}. */
    public static double kernel(double d2, double beta) {
        double k = 0;
        for (double s : SCALES) k += Math.exp(-d2 / (s * beta));
        return k;
    }

    /** {@code dK/d(d2) = -sum_q exp(-d2 / (s_q beta)) / (s_q beta)}. */
    public static double kernelSlope(double d2, double beta) {
        double k = 0;
        for (double s : SCALES) k -= Math.exp(-d2 / (s * beta)) / (s * beta);
        return k;
    }

    // ---------------------------------------------------------------------------------------------

    private static void requireSamples(double[][] g, double[][] f) {
        if (g.length != f.length) throw new IllegalArgumentException("student has " + g.length + " samples, teacher " + f.length);
        if (g.length == 0) throw new IllegalArgumentException("no samples");
    }

    private static double sqDist(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return s;
    }

    private static double[] times(double[][] p, double[] v) {
        double[] out = new double[p.length];
        for (int k = 0; k < p.length; k++) out[k] = dot(p[k], v);
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) s += a[k] * b[k];
        return s;
    }
}
