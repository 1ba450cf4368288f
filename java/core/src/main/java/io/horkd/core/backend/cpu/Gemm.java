package io.horkd.core.backend.cpu;

/**
 * Matrix products in float64 on row-major arrays, in the one form C2 (JDK 17) vectorises well: a row
 * of C updated by {@code c[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]} over contiguous j (one store
 * stream, four rows of B per pass), blocked so a C row segment stays in L1 and the block of B in L2.
 *
 * <p>Why float64 for float32 features: products of two floats are exact in a double, so the Gram
 * matrix is accurate to about 1e-16 of |x|^2, and the Gram forms of squared distances and angle
 * numerators keep their digits even for pairs far closer together than their distance from the mean
 * (in float32, a pair 1e-4 apart relative to the spread loses every digit of its distance).
 *
 * <p>Every element of C is summed in the same order (depth in groups of four, ascending), whatever its
 * position, block or thread: results are deterministic, {@link #gram} is exactly symmetric, and
 * {@link #dot} reproduces an element exactly, so exact duplicate rows give squared distances of 0.
 */
final class Gemm {
    /** Columns of C per block: 4 KB of a C row. */
    private static final int NB = 512;
    /** Depth per block, a multiple of 4: a 64 x 512 block of B is 256 KB. */
    private static final int KB = 64;

    private Gemm() {}

    /** {@code C[m x n] += A[m x k] * B[k x n]}. */
    static void multiplyAdd(double[] a, int m, int k, double[] b, int n, double[] c, Parallel par) {
        int parts = par.partsFor(m, (long) m * n * k);
        par.run(Parallel.even(m, parts), (part, lo, hi) -> blocked(a, k, b, n, c, lo, hi, false));
    }

    /** {@code G[m x m] = X X^T} for {@code X [m x d]}. */
    static double[] gram(double[] x, int m, int d, Parallel par) {
        double[] xt = transpose(x, m, d);
        double[] g = new double[m * m];
        int parts = par.partsFor(m, (long) m * m * d / 2);
        par.run(Parallel.triangular(m, parts), (part, lo, hi) -> blocked(x, d, xt, m, g, lo, hi, true));
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) g[j * m + i] = g[i * m + j];
        }
        return g;
    }

    /** {@code sum_p a[aOff+p] * b[bOff+p]}, summed exactly as {@link #multiplyAdd} sums an element. */
    static double dot(double[] a, int aOff, double[] b, int bOff, int k) {
        double acc = 0;
        int p = 0;
        for (; p + 3 < k; p += 4) {
            acc += a[aOff + p] * b[bOff + p] + a[aOff + p + 1] * b[bOff + p + 1] + a[aOff + p + 2] * b[bOff + p + 2]
                    + a[aOff + p + 3] * b[bOff + p + 3];
        }
        for (; p < k; p++) acc += a[aOff + p] * b[bOff + p];
        return acc;
    }

    /** {@code out[k x m] = x[m x k]^T}. */
    static double[] transpose(double[] x, int m, int k) {
        double[] out = new double[m * k];
        for (int i = 0; i < m; i++) {
            int row = i * k;
            for (int p = 0; p < k; p++) out[p * m + i] = x[row + p];
        }
        return out;
    }

    /** A float array widened to double (exactly). */
    static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i];
        return out;
    }

    /** Rows [r0, r1) of C += A B; with {@code upper}, only columns j >= i of row i. */
    private static void blocked(double[] a, int k, double[] b, int n, double[] c, int r0, int r1, boolean upper) {
        for (int jb = 0; jb < n; jb += NB) {
            int jEnd = Math.min(n, jb + NB);
            for (int pb = 0; pb < k; pb += KB) {
                int pEnd = Math.min(k, pb + KB);
                for (int i = r0; i < r1; i++) {
                    int j0 = upper ? Math.max(jb, i) : jb;
                    if (j0 < jEnd) rowBlock(a, i * k, b, n, c, i * n, j0, jEnd, pb, pEnd);
                }
            }
        }
    }

    private static void rowBlock(double[] a, int aOff, double[] b, int n, double[] c, int cOff, int j0, int j1, int p0,
            int p1) {
        int p = p0;
        for (; p + 3 < p1; p += 4) {
            double a0 = a[aOff + p];
            double a1 = a[aOff + p + 1];
            double a2 = a[aOff + p + 2];
            double a3 = a[aOff + p + 3];
            int b0 = p * n;
            int b1 = b0 + n;
            int b2 = b1 + n;
            int b3 = b2 + n;
            for (int j = j0; j < j1; j++) {
                c[cOff + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
        }
        for (; p < p1; p++) {
            double a0 = a[aOff + p];
            int b0 = p * n;
            for (int j = j0; j < j1; j++) c[cOff + j] += a0 * b[b0 + j];
        }
    }
}
