package io.horkd.core.backend.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.reference.ReferenceMethods.Maps;
import io.horkd.core.testing.FiniteDifference;
import io.horkd.core.testing.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The float64 references of METHODS.md's other methods: central-difference checks of every gradient
 * (tolerance as in {@link ReferenceGradientTest}: 1e-6 of each entry plus 1e-6 of the largest), values
 * worked by hand, the invariants of each definition, cross-resolution shapes, m = 1..3 and zero maps.
 */
class ReferenceMethodsTest {
    private static final double RTOL = 1e-6;

    private static Maps maps(SplittableRandom rnd, int m, int c, int h, int w, double offset) {
        return new Maps(TestData.gaussian(rnd, m, c * h * w, 1, offset), c, h, w);
    }

    @Test
    void adaptivePoolingUsesPyTorchsBins() {
        // 5 -> 3 columns: bins [0, 2), [1, 4), [3, 5); 2 -> 1 rows: the mean of both.
        double[] row0 = {1, 2, 3, 4, 5};
        double[] row1 = {6, 7, 8, 9, 10};
        double[] flat = new double[10];
        System.arraycopy(row0, 0, flat, 0, 5);
        System.arraycopy(row1, 0, flat, 5, 5);
        Maps pooled = ReferenceMethods.adaptivePool(new Maps(new double[][] {flat}, 1, 2, 5), 1, 3);
        assertArrayEquals(new double[] {(1 + 2 + 6 + 7) / 4.0, (2 + 3 + 4 + 7 + 8 + 9) / 6.0, (4 + 5 + 9 + 10) / 4.0},
                pooled.data()[0], 1e-15);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceMethods.adaptivePool(new Maps(new double[][] {flat}, 1, 2, 5), 3, 3));
        assertTrue(e.getMessage().contains("cannot pool a 2x5 map to 3x3"), e.getMessage());
    }

    @ParameterizedTest(name = "m={0}, student {1}x{2}x{3}, teacher {4}x{5}x{6}")
    @CsvSource({"4, 3, 4, 4, 5, 4, 4", "3, 2, 3, 3, 6, 7, 7", "1, 1, 2, 2, 2, 4, 4", "2, 4, 1, 2, 3, 3, 3", "3, 2, 5, 3, 2, 10, 6"})
    void attentionGradient(int m, int cs, int hs, int ws, int ct, int ht, int wt) {
        SplittableRandom rnd = TestData.random(300 + m * 13L + hs * 7L + ht);
        Maps s = maps(rnd, m, cs, hs, ws, 0.2);
        Maps t = maps(rnd, m, ct, ht, wt, -0.1);
        var r = ReferenceMethods.attention(s, t);
        FiniteDifference.check("AT", s.data(), r.dStudent(),
                x -> ReferenceMethods.attention(new Maps(x, cs, hs, ws), t).value(), RTOL);
    }

    @Test
    void attentionOfASinglePositionIsConstant() {
        // A 1x1 student map normalises to attention 1 whatever its values: L = 0, and no gradient.
        SplittableRandom rnd = TestData.random(310);
        var r = ReferenceMethods.attention(maps(rnd, 2, 4, 1, 1, 0.5), maps(rnd, 2, 3, 3, 3, 0));
        assertEquals(0.0, r.value(), 1e-30);
        for (double[] row : r.dStudent()) {
            for (double g : row) assertEquals(0.0, g, 1e-15);
        }
    }

    @Test
    void attentionByHand() {
        // One channel, 2 positions: student energies (1, 0) -> a = (1, 0); teacher (0, 2) -> (0, 1).
        // L = mean over 1 sample x 2 positions of ((1-0)^2 + (0-1)^2) = 1.
        Maps s = new Maps(new double[][] {{1, 0}}, 1, 1, 2);
        Maps t = new Maps(new double[][] {{0, Math.sqrt(2)}}, 1, 1, 2);
        assertEquals(1.0, ReferenceMethods.attention(s, t).value(), 1e-15);
        // Channels may differ, and a map scaled by any factor has the same attention: L = 0.
        Maps s2 = new Maps(new double[][] {{1, 2, 3, 4, 5, 6}}, 2, 1, 3);
        Maps t2 = new Maps(new double[][] {{3, 6, 9, 12, 15, 18, 0, 0, 0}}, 3, 1, 3);
        assertEquals(0.0, ReferenceMethods.attention(s2, new Maps(new double[][] {{2, 4, 6, 8, 10, 12}}, 2, 1, 3)).value(), 1e-30);
        assertTrue(ReferenceMethods.attention(s2, t2).value() > 0);
        // A zero student map: attention 0 (no NaN), value finite, gradient 0.
        var zero = ReferenceMethods.attention(new Maps(new double[][] {{0, 0, 0, 0, 0, 0}}, 2, 1, 3), t2);
        assertTrue(Double.isFinite(zero.value()) && zero.value() > 0);
        for (double g : zero.dStudent()[0]) assertEquals(0.0, g, 0.0);
    }

    @ParameterizedTest(name = "m={0}, {1} channels, student {2}x{3}, teacher {4}x{5}")
    @CsvSource({"3, 4, 4, 4, 8, 8", "2, 3, 3, 5, 7, 11", "1, 1, 1, 1, 3, 3"})
    void hintGradientAndPooling(int m, int c, int hs, int ws, int ht, int wt) {
        SplittableRandom rnd = TestData.random(400 + m * 3L + hs);
        Maps r = maps(rnd, m, c, hs, ws, 0.1);
        Maps t = maps(rnd, m, c, ht, wt, 0.4);
        var v = ReferenceMethods.hint(r, t);
        FiniteDifference.check("FitNet hint", r.data(), v.dStudent(), x -> ReferenceMethods.hint(new Maps(x, c, hs, ws), t).value(), RTOL);
        assertEquals(0.0, ReferenceMethods.hint(ReferenceMethods.adaptivePool(t, hs, ws), t).value(), 0.0,
                "the pooled teacher itself costs nothing");
        var e = assertThrows(IllegalArgumentException.class, () -> ReferenceMethods.hint(maps(rnd, m, c + 1, hs, ws, 0), t));
        assertTrue(e.getMessage().contains("the regressor gives " + (c + 1) + " channels, the teacher has " + c), e.getMessage());
    }

    @ParameterizedTest(name = "{0}, m={1}, student {2}x{3}x{4}, teacher {5}x{6}x{7}, gated={8}")
    @CsvSource({"DCT, 3, 2, 4, 4, 3, 4, 4, false", "DFT_REAL, 3, 2, 4, 4, 3, 4, 4, false", "DCT, 4, 3, 3, 5, 2, 6, 7, true",
            "DFT_REAL, 2, 1, 2, 3, 4, 5, 5, true", "DCT, 1, 2, 5, 5, 2, 8, 8, false", "DFT_REAL, 3, 4, 3, 3, 2, 3, 3, true"})
    void dctAttentionGradient(ReferenceMethods.Transform transform, int m, int cs, int hs, int ws, int ct, int ht, int wt,
            boolean gated) {
        SplittableRandom rnd = TestData.random(800 + m * 19L + hs * 5L + ht + transform.ordinal());
        Maps s = maps(rnd, m, cs, hs, ws, 0.3);
        Maps t = maps(rnd, m, ct, ht, wt, -0.2);
        double[] w = null;
        if (gated) {
            w = new double[m];
            for (int i = 0; i < m; i++) w[i] = i % 2;  // samples 1, 3, ... count; 0, 2, ... do not
        }
        double[] weights = w;
        var r = ReferenceMethods.dctAttention(s, t, transform, weights);
        assertTrue(r.value() > 0 || (gated && m == 1));
        FiniteDifference.check("DCT attention " + transform, s.data(), r.dStudent(),
                x -> ReferenceMethods.dctAttention(new Maps(x, cs, hs, ws), t, transform, weights).value(), RTOL);
        if (gated) {
            for (int i = 0; i < m; i += 2) {
                for (double g : r.dStudent()[i]) assertEquals(0.0, g, 0.0, "a gated-out sample gets no gradient");
            }
        }
    }

    @Test
    void dctAttentionByDefinition() {
        // Both transforms against their definitions written out (the DFT's real part, Re sum_yx a_yx
        // e^{-2 pi i (u y / H + v x / W)}, and the orthonormal DCT-II), through a one-sample, one-channel map
        // whose attention is known: F = sqrt(A) elementwise.
        SplittableRandom rnd = TestData.random(850);
        int h = 3;
        int w = 4;
        double[] a = new double[h * w];
        for (int p = 0; p < a.length; p++) a[p] = 0.1 + rnd.nextDouble();
        double[] f = new double[a.length];
        for (int p = 0; p < a.length; p++) f[p] = Math.sqrt(a[p]);
        double[] an = ReferenceMethods.minMax(a);
        double mean = 0;
        for (double v : an) mean += v / an.length;
        double[] expected = new double[h * w];
        for (int u = 0; u < h; u++) {
            for (int v = 0; v < w; v++) {
                double sum = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) sum += (an[y * w + x] - mean) * Math.cos(2 * Math.PI * ((double) u * y / h + (double) v * x / w));
                }
                expected[u * w + v] = sum;
            }
        }
        expected = ReferenceMethods.minMax(expected);
        double[] dct = new double[h * w];
        for (int u = 0; u < h; u++) {
            for (int v = 0; v < w; v++) {
                double sum = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        sum += (an[y * w + x] - mean) * Math.cos(Math.PI * (2 * y + 1) * u / (2.0 * h))
                                * Math.cos(Math.PI * (2 * x + 1) * v / (2.0 * w));
                    }
                }
                dct[u * w + v] = Math.sqrt((u == 0 ? 1.0 : 2.0) / h) * Math.sqrt((v == 0 ? 1.0 : 2.0) / w) * sum;
            }
        }
        dct = ReferenceMethods.minMax(dct);
        // The student against itself scaled: the same normalised attention, the same coefficients, L = 0...
        Maps s = new Maps(new double[][] {f}, 1, h, w);
        Maps twice = new Maps(new double[][] {scale(f, 2)}, 1, h, w);
        assertEquals(0.0, ReferenceMethods.dctAttention(s, twice, ReferenceMethods.Transform.DFT_REAL, null).value(), 1e-12);
        // ... and with a teacher of zero coefficients (a constant map), L = |C^s| = |expected|.
        Maps constant = new Maps(new double[][] {new double[h * w]}, 1, h, w);
        double norm = 0;
        for (double v : expected) norm += v * v;
        assertEquals(Math.sqrt(norm), ReferenceMethods.dctAttention(s, constant, ReferenceMethods.Transform.DFT_REAL, null).value(), 1e-12);
        double dctNorm = 0;
        for (double v : dct) dctNorm += v * v;
        assertEquals(Math.sqrt(dctNorm), ReferenceMethods.dctAttention(s, constant, ReferenceMethods.Transform.DCT, null).value(), 1e-12);
        // A constant student map has no attention to speak of: coefficients 0, a finite value, no gradient.
        var flat = ReferenceMethods.dctAttention(constant, s, ReferenceMethods.Transform.DCT, null);
        assertTrue(Double.isFinite(flat.value()));
        for (double g : flat.dStudent()[0]) assertEquals(0.0, g, 0.0);
    }

    private static double[] scale(double[] x, double c) {
        double[] out = x.clone();
        for (int k = 0; k < out.length; k++) out[k] *= c;
        return out;
    }

    @Test
    void teacherGatingCountsRightPredictions() {
        double[][] logits = {{0.1, 2, 0.3}, {5, 1, 1}, {1, 1, 0}};
        assertArrayEquals(new double[] {1, 0, 1}, ReferenceMethods.teacherCorrect(logits, new int[] {1, 2, 0}), 0.0);
    }

    @ParameterizedTest(name = "m={0}, student {1}x{2}x{3}, teacher {4}x{5}x{6}")
    @CsvSource({"5, 2, 3, 3, 4, 5, 5", "3, 1, 2, 2, 1, 2, 2", "1, 2, 2, 2, 3, 3, 3", "2, 3, 1, 4, 2, 6, 2"})
    void similarityGradient(int m, int cs, int hs, int ws, int ct, int ht, int wt) {
        SplittableRandom rnd = TestData.random(500 + m * 11L + cs);
        Maps s = maps(rnd, m, cs, hs, ws, 0.3);
        Maps t = maps(rnd, m, ct, ht, wt, 0.1);
        var r = ReferenceMethods.similarity(s, t);
        if (m == 1) {
            // One sample: both normalised Grams are [1], so L = 0 and the gradient is 0 (to rounding).
            assertEquals(0.0, r.value(), 1e-15);
            for (double g : r.dStudent()[0]) assertEquals(0.0, g, 1e-15);
        } else {
            FiniteDifference.check("SP", s.data(), r.dStudent(), x -> ReferenceMethods.similarity(new Maps(x, cs, hs, ws), t).value(), RTOL);
        }
        // Scaling every student map by the same factor leaves the row-normalised Gram as it is.
        double[][] scaled = TestData.copy(s.data());
        for (double[] row : scaled) {
            for (int k = 0; k < row.length; k++) row[k] *= 3.5;
        }
        assertEquals(r.value(), ReferenceMethods.similarity(new Maps(scaled, cs, hs, ws), t).value(), 1e-13 * r.value() + 1e-30);
    }

    @ParameterizedTest(name = "m={0}, ds={1}, dt={2}")
    @CsvSource({"6, 4, 5", "3, 2, 7", "2, 3, 3", "1, 4, 4", "8, 16, 1"})
    void pktGradient(int m, int ds, int dt) {
        SplittableRandom rnd = TestData.random(600 + m * 5L + ds);
        double[][] g = TestData.gaussian(rnd, m, ds, 1, 0.2);
        double[][] f = TestData.gaussian(rnd, m, dt, 1, -0.3);
        var r = ReferenceMethods.pkt(g, f);
        FiniteDifference.check("PKT", g, r.dStudent(), x -> ReferenceMethods.pkt(x, f).value(), RTOL);
        // The student's own similarities as the teacher's: KL to itself, 0 up to the epsilons' rounding.
        assertEquals(0.0, ReferenceMethods.pkt(g, g).value(), 1e-15);
    }

    @Test
    void pktOfAZeroVectorIsFinite() {
        double[][] g = {{0, 0}, {1, 0}, {0, 2}};
        double[][] f = {{1, 1}, {1, -1}, {2, 0}};
        var r = ReferenceMethods.pkt(g, f);
        assertTrue(Double.isFinite(r.value()));
        assertArrayEquals(new double[] {0, 0}, r.dStudent()[0], 0.0);
    }

    @ParameterizedTest(name = "m={0}, classes={1}, T={2}, alpha={3}, beta={4}")
    @CsvSource({"4, 5, 4, 1, 8", "3, 10, 1, 1, 0", "3, 10, 2, 0, 1", "1, 2, 4, 1, 8", "2, 3, 0.5, 2, 3"})
    void dkdGradient(int m, int classes, double temperature, double alpha, double beta) {
        SplittableRandom rnd = TestData.random(700 + m * 17L + classes);
        double[][] zs = TestData.gaussian(rnd, m, classes, 2, 0);
        double[][] zt = TestData.gaussian(rnd, m, classes, 3, 0);
        int[] labels = TestData.labels(rnd, m, classes);
        var r = ReferenceMethods.dkd(zs, zt, labels, alpha, beta, temperature);
        FiniteDifference.check("DKD", zs, r.dStudent(), x -> ReferenceMethods.dkd(x, zt, labels, alpha, beta, temperature).value(), RTOL);
    }

    @Test
    void dkdByHand() {
        // Two classes, label 0: the non-target distribution is the point mass on class 1 for both, so
        // NCKD = 0 and DKD reduces to TCKD = T^2 KL([pt0, pt1] || [ps0, ps1]), Hinton KD on two classes.
        double[][] zs = {{0.3, -0.2}};
        double[][] zt = {{1.5, 0.1}};
        int[] labels = {0};
        double temperature = 2;
        double ps0 = 1 / (1 + Math.exp((-0.2 - 0.3) / temperature));
        double pt0 = 1 / (1 + Math.exp((0.1 - 1.5) / temperature));
        double kl = pt0 * Math.log(pt0 / ps0) + (1 - pt0) * Math.log((1 - pt0) / (1 - ps0));
        assertEquals(temperature * temperature * kl, ReferenceMethods.dkd(zs, zt, labels, 1, 8, temperature).value(), 1e-14);
        assertEquals(ReferenceLosses.hinton(zs, zt, temperature).value(), ReferenceMethods.dkd(zs, zt, labels, 1, 0, temperature).value(), 1e-14);
        // The same logits for both: 0, and no gradient.
        var same = ReferenceMethods.dkd(zt, zt, labels, 1, 8, 4);
        assertEquals(0.0, same.value(), 1e-15);
        assertArrayEquals(new double[] {0, 0}, same.dStudent()[0], 1e-15);
        var e = assertThrows(IllegalArgumentException.class, () -> ReferenceMethods.dkd(zs, zt, new int[] {2}, 1, 8, 4));
        assertTrue(e.getMessage().contains("label 2 of sample 0 is outside 0..1"), e.getMessage());
    }
}
