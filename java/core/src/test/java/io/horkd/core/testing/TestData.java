package io.horkd.core.testing;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import java.util.SplittableRandom;

/**
 * Seeded random inputs. Every test draws from a seed of its own, written into its assertion messages,
 * so a failure can be replayed; {@code -Dhorkd.test.seed=N} shifts every seed by N to explore fresh draws.
 */
public final class TestData {
    private static final long SHIFT = Long.getLong("horkd.test.seed", 0L);

    private TestData() {}

    public static SplittableRandom random(long seed) {
        return new SplittableRandom(seed + SHIFT);
    }

    /** The seed a test actually used (for messages). */
    public static long effectiveSeed(long seed) {
        return seed + SHIFT;
    }

    /** {@code offset + scale * N(0, 1)} in every entry of a {@code [m][d]} array. */
    public static double[][] gaussian(SplittableRandom rnd, int m, int d, double scale, double offset) {
        double[][] x = new double[m][d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) row[k] = offset + scale * gaussian(rnd);
        }
        return x;
    }

    /** Batched float32 features: each problem {@code offset + scale * N(0,1)} (offset per column). */
    public static Features features(SplittableRandom rnd, int batch, int m, int d, double scale, double offset) {
        float[] data = new float[batch * m * d];
        double[] columnOffset = new double[d];
        for (int k = 0; k < d; k++) columnOffset[k] = offset * (rnd.nextBoolean() ? 1 : -1) * (0.5 + rnd.nextDouble());
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < d; k++) data[(b * m + i) * d + k] = (float) (columnOffset[k] + scale * gaussian(rnd));
            }
        }
        return Features.of(data, batch, m, d);
    }

    /** Labels uniform in {@code 0..classes-1}. */
    public static Labels labels(SplittableRandom rnd, int batch, int m, int classes) {
        int[] l = new int[batch * m];
        for (int i = 0; i < l.length; i++) l[i] = rnd.nextInt(classes);
        return Labels.of(l, batch, m);
    }

    public static int[] labels(SplittableRandom rnd, int m, int classes) {
        int[] l = new int[m];
        for (int i = 0; i < m; i++) l[i] = rnd.nextInt(classes);
        return l;
    }

    public static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    public static double[][] copy(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = x[i].clone();
        return out;
    }

    /**
     * Asserts every entry of {@code got} within {@code rel |want_q| + ofMax * max |want| + 1e-30} of
     * {@code want}: float32 gradients against float64 ones, relative to the entry and to the largest.
     */
    public static void assertClose(String what, float[] want, float[] got, double rel, double ofMax) {
        org.junit.jupiter.api.Assertions.assertEquals(want.length, got.length, what + ": lengths");
        double max = 0;
        for (float v : want) max = Math.max(max, Math.abs(v));
        for (int q = 0; q < want.length; q++) {
            org.junit.jupiter.api.Assertions.assertEquals(want[q], got[q], rel * Math.abs(want[q]) + ofMax * max + 1e-30, what + " [" + q + "]");
        }
    }
}
