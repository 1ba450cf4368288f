package io.horkd.core.backend.cpu;

import io.horkd.core.backend.reference.ReferenceRakd;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.tensor.Features;

/**
 * The fast float32 paths of resolution-aware distillation's cross-resolution terms ({@link ReferenceRakd}):
 * float32 in and out, float64 inside, the {@code O(m^2 d)} products by {@link Gemm} over the CPU backend's
 * threads, {@code O(m^2)} memory (the cosine or kernel matrices, never an {@code m x m x d} tensor).
 */
public final class RakdKernels {
    private RakdKernels() {}

    private static Parallel par(LossBackend backend) {
        return (backend instanceof CpuBackend c ? c : io.horkd.core.backend.Backends.cpu()).par();
    }

    /**
     * The pair-wise constraint ({@link ReferenceRakd#pairwise}): {@code C = G^ G^^T} for the row-normalised
     * student and teacher by {@link Gemm#gram}; {@code dL/dG^ = 2 E G^} by {@link Gemm#multiplyAdd}.
     */
    public static double[] pairwise(LossBackend backend, Features s, Features t, Features gradS, double[] coef) {
        Parallel par = par(backend);
        int m = s.rows();
        double[] values = new double[s.batch()];
        if (m < 2) return values;
        double pairs = (double) m * (m - 1);
        for (int b = 0; b < s.batch(); b++) {
            double[][] gh = Gemm.rows(s, b);
            double[] gn = normaliseRows(gh);
            double[][] fh = Gemm.rows(t, b);
            normaliseRows(fh);
            double[][] cs = Gemm.gram(gh, par);
            double[][] ct = Gemm.gram(fh, par);
            double value = 0;
            double[][] e = new double[m][m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    if (i == j) continue;
                    double diff = cs[i][j] - ct[i][j];
                    value += diff * diff;
                    e[i][j] = 4 * diff / pairs; // 2 E_ij: E is symmetric
                }
            }
            values[b] = value / pairs;
            if (gradS == null) continue;
            double[][] dgh = new double[m][gh[0].length];
            Gemm.multiplyAdd(e, gh, dgh, par);
            for (int i = 0; i < m; i++) normalizeBackward(gh[i], dgh[i], gn[i]);
            Gradients.add(gradS, b, dgh, coef[b]);
        }
        return values;
    }

    /**
     * MMD^2 ({@link ReferenceRakd#mmd}) of {@code x = P g} (or {@code g}) against the teacher: the pooled
     * {@code 2m} points centred (distances do not move, their Gram form keeps its digits), one Gram matrix
     * of them by {@link Gemm#gram}, the kernel and its slope per pair, and
     * {@code dL/dX = (4/m^2) (diag(rowsum M) X - M Z)} with {@code M = [k'(D^xx), -k'(D^xf)]} by
     * {@link Gemm#multiplyAdd}; then {@code dL/dG = dL/dX P} and {@code dL/dP = dL/dX^T G}.
     */
    public static double[] mmd(LossBackend backend, Features s, Features w, Features t, Features gradS, Features gradP, double[] coef) {
        Parallel par = par(backend);
        int m = s.rows();
        double[][] p = w == null ? null : Gemm.rows(w, 0);
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            double[][] g = Gemm.rows(s, b);
            double[][] x = g;
            if (p != null) {
                x = new double[m][p.length];
                Gemm.multiplyAdd(g, Gemm.transpose(p), x, par);
            }
            int dt = x[0].length;
            double[][] f = Gemm.rows(t, b);
            double[][] z = new double[2 * m][];
            for (int i = 0; i < m; i++) {
                z[i] = x[i].clone();
                z[m + i] = f[i].clone();
            }
            double[] mean = new double[dt];
            for (double[] row : z) for (int k = 0; k < dt; k++) mean[k] += row[k];
            for (int k = 0; k < dt; k++) mean[k] /= 2 * m;
            for (double[] row : z) for (int k = 0; k < dt; k++) row[k] -= mean[k];
            double[][] gz = Gemm.gram(z, par);
            int n = 2 * m;
            double[][] d2 = new double[n][n];
            double sum = 0;
            for (int a = 0; a < n; a++) {
                for (int c = 0; c < n; c++) {
                    d2[a][c] = a == c ? 0 : Math.max(gz[a][a] + gz[c][c] - 2 * gz[a][c], 0);
                    sum += d2[a][c];
                }
            }
            double beta = n < 2 ? 0 : sum / ((double) n * (n - 1));
            if (beta == 0) continue; // all points equal: 0, no gradient
            double value = 0;
            double[][] mRows = new double[m][n];
            double[] rowSum = new double[m];
            double[] ks = new double[2];
            for (int a = 0; a < m; a++) {
                for (int j = 0; j < m; j++) {
                    kernelAndSlope(d2[a][j], beta, ks);
                    value += ks[0];
                    mRows[a][j] = ks[1];
                    kernelAndSlope(d2[a][m + j], beta, ks);
                    value -= 2 * ks[0];
                    mRows[a][m + j] = -ks[1];
                    kernelAndSlope(d2[m + a][m + j], beta, ks);
                    value += ks[0];
                }
                for (int c = 0; c < n; c++) rowSum[a] += mRows[a][c];
            }
            values[b] = value / ((double) m * m);
            if (gradS == null && gradP == null) continue;
            double scale = 4.0 / ((double) m * m);
            double[][] mz = new double[m][dt];
            Gemm.multiplyAdd(mRows, z, mz, par);
            double[][] dx = new double[m][dt];
            for (int a = 0; a < m; a++) {
                for (int k = 0; k < dt; k++) dx[a][k] = scale * (rowSum[a] * z[a][k] - mz[a][k]);
            }
            if (p == null) {
                if (gradS != null) Gradients.add(gradS, b, dx, coef[b]);
                continue;
            }
            if (gradS != null) {
                double[][] dg = new double[m][g[0].length];
                Gemm.multiplyAdd(dx, p, dg, par);
                Gradients.add(gradS, b, dg, coef[b]);
            }
            if (gradP != null) {
                double[][] dp = new double[dt][g[0].length];
                Gemm.multiplyAdd(Gemm.transpose(dx), g, dp, par);
                Gradients.add(gradP, 0, dp, coef[b]);
            }
        }
        return values;
    }

    /**
     * {@code K(d)} and {@code k'(d)} into {@code out} from one exponential: the scales are powers of two, so
     * with {@code u = exp(-d / (4 beta))} the five terms are {@code u, u^2, u^4, u^8, u^16} (s = 4 .. 1/4),
     * three exponentials a pair instead of thirty, at a relative difference from {@link ReferenceRakd#kernel}
     * of a few 1e-16.
     */
    private static void kernelAndSlope(double d, double beta, double[] out) {
        double u1 = Math.exp(-d / (4 * beta));
        double u2 = u1 * u1;
        double u4 = u2 * u2;
        double u8 = u4 * u4;
        double u16 = u8 * u8;
        out[0] = u1 + u2 + u4 + u8 + u16;
        out[1] = -(u1 / 4 + u2 / 2 + u4 + 2 * u8 + 4 * u16) / beta;
    }

    /** Normalises each row to unit length (floor 1e-12, as the reference); returns the norms. */
    private static double[] normaliseRows(double[][] x) {
        double[] norms = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            norms[i] = Math.sqrt(Gemm.dot(x[i], x[i]));
            double c = 1 / Math.max(norms[i], 1e-12);
            for (int k = 0; k < x[i].length; k++) x[i][k] *= c;
        }
        return norms;
    }

    /** In place: {@code e <- (e - a (a . e)) / |v|}, or {@code e / 1e-12} under the floor. */
    private static void normalizeBackward(double[] a, double[] e, double norm) {
        if (norm <= 1e-12) {
            for (int k = 0; k < e.length; k++) e[k] /= 1e-12;
            return;
        }
        double d = Gemm.dot(a, e);
        for (int k = 0; k < e.length; k++) e[k] = (e[k] - a[k] * d) / norm;
    }
}
