package io.horkd.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The OpenBLAS products against the Java loops: the same float64 values to rounding, the Gram matrix
 * exactly symmetric, and exact duplicate rows at squared distance exactly 0 wherever they sit in
 * OpenBLAS's tiles (first and last rows, neighbours, the ragged edge), at the sizes that hit its edge
 * kernels (m, d = 1, 3, 17, 130, 257) and far from the origin.
 */
class BlasTest {
    @Test
    void openBlasIsLoaded() {
        // The project depends on bytedeco's openblas: if it stopped loading, the fast path would go untested.
        // (The GPU machine's bundle, benchmarks/gpu/package.sh, leaves it out: 60 MB.)
        assumeTrue(onClassPath("org.bytedeco.openblas.global.openblas_nolapack"), "bytedeco's openblas is not on the class path");
        assertTrue(Blas.available(), "OpenBLAS did not load (see the log), or -D" + Blas.PROPERTY + "=off was given");
    }

    @BeforeEach
    void needsOpenBlas(TestInfo test) {
        if (!test.getTestMethod().orElseThrow().getName().equals("openBlasIsLoaded")) assumeTrue(Blas.available(), "OpenBLAS is off");
    }

    private static boolean onClassPath(String name) {
        try {
            Class.forName(name, false, BlasTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "m={0} d={1} offset={2}")
    @CsvSource({"1,1,0", "2,3,0", "3,17,0", "17,1,0", "64,64,0", "130,17,1e4", "257,130,0", "257,3,1e3", "300,512,0"})
    void gramMatchesTheJavaLoops(int m, int d, double offset) {
        double[][] x = rows(new SplittableRandom(m * 31L + d), m, d, offset);
        if (m >= 2) x[m - 1] = x[0].clone();
        if (m >= 5) x[m / 2 + 1] = x[m / 2].clone();
        try (Parallel par = new Parallel(2)) {
            double[][] blas = Gemm.gram(x, par, true);
            double[][] java = Gemm.gram(x, par, false);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    assertEquals(blas[i][j], blas[j][i], 0.0, "symmetric at " + i + "," + j);
                    double scale = Math.sqrt(java[i][i] * java[j][j]) + 1e-300;
                    assertEquals(java[i][j], blas[i][j], 4e-16 * d * scale, "G[" + i + "][" + j + "]");
                }
            }
            if (m >= 2) assertEquals(0.0, blas[0][0] + blas[m - 1][m - 1] - 2 * blas[0][m - 1], 0.0, "duplicates first and last");
            int k = m / 2;
            if (m >= 5) assertEquals(0.0, blas[k][k] + blas[k + 1][k + 1] - 2 * blas[k][k + 1], 0.0, "duplicates side by side");
        }
    }

    @ParameterizedTest(name = "m={0} k={1} n={2}")
    @CsvSource({"1,1,1", "3,17,2", "64,64,64", "130,257,17", "257,130,300"})
    void multiplyAddAddsTheProduct(int m, int k, int n) {
        SplittableRandom rnd = new SplittableRandom(m + 7L * k + 13L * n);
        double[][] a = rows(rnd, m, k, 0);
        double[][] b = rows(rnd, k, n, 0);
        double[][] c0 = rows(rnd, m, n, 0);
        double[][] blas = copy(c0);
        double[][] java = copy(c0);
        Blas.multiplyAdd(a, b, blas);
        try (Parallel par = new Parallel(2)) {
            Gemm.multiplyAddExact(a, b, java, par);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double bound = 0;
                for (int p = 0; p < k; p++) bound += Math.abs(a[i][p] * b[p][j]);
                assertEquals(java[i][j], blas[i][j], 4e-16 * k * (bound + Math.abs(c0[i][j])) + 1e-300, "C[" + i + "][" + j + "]");
            }
        }
    }

    /** Float32 values (as the backend's inputs are) around {@code offset}. */
    private static double[][] rows(SplittableRandom rnd, int m, int d, double offset) {
        double[][] x = new double[m][d];
        for (double[] row : x) {
            for (int q = 0; q < d; q++) row[q] = (float) (offset + rnd.nextGaussian());
        }
        return x;
    }

    private static double[][] copy(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = x[i].clone();
        return out;
    }
}
