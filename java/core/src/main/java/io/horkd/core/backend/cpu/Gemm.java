package io.horkd.core.backend.cpu;

import io.horkd.core.tensor.Features;

/**
 * Dense float64 linear algebra on row arrays ({@code double[rows][cols]}): on OpenBLAS ({@link Blas})
 * where it is loaded and the product is large enough to pay for staging its operands, else in Java.
 *
 * <p>Why float64 for float32 features: products of two floats are exact in a double, so the Gram
 * matrix is accurate to about 1e-16 of |x|^2, and the Gram forms of squared distances and angle
 * numerators keep their digits even for pairs far closer together than their distance from the mean
 * (in float32, a pair 1e-4 apart relative to the spread loses every digit of its distance).
 *
 * <p>Both paths sum every element of C in one order, whatever its position, block or thread: results
 * are deterministic and {@link #gram} is exactly symmetric (computed as a triangle and mirrored). The
 * Java loops are written in the one form JDK 17's C2 auto-vectorises: an inner loop over contiguous j in
 * which every array is a separate row indexed by j alone (measured here, the same product over one flat
 * array read at four row offsets ran at 5 GFLOP/s per core, over row arrays at 26 GFLOP/s), blocked so
 * that a row segment of C stays in L1 and the block of B in L2. Only they promise that {@link #dot}
 * reproduces an element exactly: callers that compare the two take {@link #multiplyAddExact}.
 */
final class Gemm {
    /** Columns of C per block: 4 KB of a C row. */
    private static final int NB = 512;
    /** Depth per block, a multiple of 4: a 64 x 512 block of B is 256 KB. */
    private static final int KB = 64;

    private Gemm() {}

    /**
     * Multiply-adds ({@code m n k}) from which OpenBLAS is used. Below it the Java loops take a few
     * microseconds, the order of the JNI call and the operand copies. Chosen, not yet tuned by measurement.
     */
    static final long BLAS_WORK = 1L << 16;

    /** {@code C += A B} for {@code A [m][k]}, {@code B [k][n]}, {@code C [m][n]}. */
    static void multiplyAdd(double[][] a, double[][] b, double[][] c, Parallel par) {
        long work = (long) a.length * (b.length == 0 ? 0 : b[0].length) * b.length;
        if (work >= BLAS_WORK && Blas.available()) Blas.multiplyAdd(a, b, c);
        else multiplyAddExact(a, b, c, par);
    }

    /** {@link #multiplyAdd} in Java always: every element summed exactly as {@link #dot} sums it. */
    static void multiplyAddExact(double[][] a, double[][] b, double[][] c, Parallel par) {
        int m = a.length;
        long work = (long) m * (b.length == 0 ? 0 : b[0].length) * b.length;
        par.run(Parallel.even(m, par.partsFor(m, work)), (part, lo, hi) -> blocked(a, b, c, lo, hi, false));
    }

    /** {@code G = X X^T} for {@code X [m][d]}. */
    static double[][] gram(double[][] x, Parallel par) {
        long work = (long) x.length * x.length * x[0].length / 2;
        return gram(x, par, work >= BLAS_WORK && Blas.available());
    }

    /** {@link #gram} on OpenBLAS or in Java (for the tests that compare the two). */
    static double[][] gram(double[][] x, Parallel par, boolean blas) {
        int m = x.length;
        double[][] g = new double[m][m];
        if (blas) {
            Blas.gramUpper(x, g);
        } else {
            double[][] xt = transpose(x);
            long work = (long) m * m * x[0].length / 2;
            par.run(Parallel.triangular(m, par.partsFor(m, work)), (part, lo, hi) -> blocked(x, xt, g, lo, hi, true));
        }
        mirrorUpper(g, par);
        return g;
    }

    /**
     * Copies the upper triangle onto the lower one in 64 x 64 tiles (a column walk over rows of 32 KB
     * misses every time), tile rows in parallel: each writes its own columns of the lower triangle.
     */
    static void mirrorUpper(double[][] g, Parallel par) {
        int m = g.length;
        final int t = 64;
        int tiles = (m + t - 1) / t;
        par.run(Parallel.triangular(tiles, par.partsFor(tiles, (long) m * m / 2)), (part, lo, hi) -> {
            for (int ib = lo * t; ib < Math.min(m, hi * t); ib += t) {
                int iEnd = Math.min(m, ib + t);
                for (int jb = ib; jb < m; jb += t) {
                    int jEnd = Math.min(m, jb + t);
                    for (int i = ib; i < iEnd; i++) {
                        double[] row = g[i];
                        for (int j = Math.max(jb, i + 1); j < jEnd; j++) g[j][i] = row[j];
                    }
                }
            }
        });
    }

    /** {@code sum_p a[p] b[p]}, summed exactly as {@link #multiplyAddExact} sums an element. */
    static double dot(double[] a, double[] b) {
        int k = a.length;
        double acc = 0;
        int p = 0;
        for (; p + 3 < k; p += 4) acc += a[p] * b[p] + a[p + 1] * b[p + 1] + a[p + 2] * b[p + 2] + a[p + 3] * b[p + 3];
        for (; p < k; p++) acc += a[p] * b[p];
        return acc;
    }

    /** {@code X^T}. */
    static double[][] transpose(double[][] x) {
        int m = x.length;
        int k = x[0].length;
        double[][] out = new double[k][m];
        for (int i = 0; i < m; i++) {
            double[] row = x[i];
            for (int p = 0; p < k; p++) out[p][i] = row[p];
        }
        return out;
    }

    /** Problem {@code b} of {@code x} as {@code [m][d]} doubles (exact). */
    static double[][] rows(Features x, int b) {
        int m = x.rows();
        int d = x.cols();
        float[] raw = new float[m * d];
        x.copyProblem(b, raw);
        double[][] out = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) out[i][k] = raw[i * d + k];
        }
        return out;
    }

    /** Rows [r0, r1) of C += A B; with {@code upper}, only columns j >= i of row i. */
    private static void blocked(double[][] a, double[][] b, double[][] c, int r0, int r1, boolean upper) {
        int k = b.length;
        int n = k == 0 ? 0 : b[0].length;
        for (int jb = 0; jb < n; jb += NB) {
            int jEnd = Math.min(n, jb + NB);
            for (int pb = 0; pb < k; pb += KB) {
                int pEnd = Math.min(k, pb + KB);
                for (int i = r0; i < r1; i++) {
                    int j0 = upper ? Math.max(jb, i) : jb;
                    if (j0 < jEnd) rowBlock(a[i], b, c[i], j0, jEnd, pb, pEnd);
                }
            }
        }
    }

    private static void rowBlock(double[] ai, double[][] b, double[] ci, int j0, int j1, int p0, int p1) {
        int p = p0;
        for (; p + 3 < p1; p += 4) {
            double a0 = ai[p];
            double a1 = ai[p + 1];
            double a2 = ai[p + 2];
            double a3 = ai[p + 3];
            double[] b0 = b[p];
            double[] b1 = b[p + 1];
            double[] b2 = b[p + 2];
            double[] b3 = b[p + 3];
            for (int j = j0; j < j1; j++) ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
        for (; p < p1; p++) {
            double a0 = ai[p];
            double[] b0 = b[p];
            for (int j = j0; j < j1; j++) ci[j] += a0 * b0[j];
        }
    }
}
