package io.horkd.core.backend.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.Numerics;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.testing.BruteForce;
import io.horkd.core.testing.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reference's forward values against numbers worked out by hand and against a brute-force oracle. */
class ReferenceDefinitionTest {
    private static final double R2 = Math.sqrt(2);

    // A 3-4-5 right triangle (teacher) and a unit right isosceles triangle (student), both right-angled
    // at the first point:
    //   f = (0,0), (3,0), (0,4)        g = (0,0), (1,0), (0,1)        labels 0, 1, 1
    private static final double[][] F = {{0, 0}, {3, 0}, {0, 4}};
    private static final double[][] G = {{0, 0}, {1, 0}, {0, 1}};
    private static final int[] LABELS = {0, 1, 1};

    /*
     * L2. Teacher distances 3, 4, 5, mean mu_f = 4: psi_f = 3/4, 1, 5/4.
     * Student distances 1, 1, sqrt2, mu_g = (2 + sqrt2)/3: psi_g = 3/(2+sqrt2) = 3 - 1.5 sqrt2 for the two
     * legs and sqrt2 (3 - 1.5 sqrt2) = 3 sqrt2 - 3 for the hypotenuse. Differences per unordered pair:
     *   e12 = 2.25 - 1.5 sqrt2 = 0.12868, e13 = 2 - 1.5 sqrt2 = -0.12132, e23 = 3 sqrt2 - 4.25 = -0.00736.
     * Paper (square, mean over the 6 ordered pairs): 2 (e12^2 + e13^2 + e23^2) / 6.
     * RKD (Huber, all |e| < 1 so e^2/2, over m^2 = 9 entries): 2 * 0.5 (e12^2 + e13^2 + e23^2) / 9.
     */
    @Test
    void distanceLossByHand() {
        double e12 = 2.25 - 1.5 * R2;
        double e13 = 2 - 1.5 * R2;
        double e23 = 3 * R2 - 4.25;
        double sumSq = e12 * e12 + e13 * e13 + e23 * e23;
        assertEquals(sumSq / 3, ReferenceLosses.distance(G, F, DistanceLoss.paper()).value(), 1e-15);
        assertEquals(sumSq / 9, ReferenceLosses.distance(G, F, DistanceLoss.rkd()).value(), 1e-15);
        assertEquals(0.0104437, sumSq / 3, 1e-7); // the decimal value, for readers comparing with PyTorch
    }

    /*
     * L3. Teacher angles: 90 degrees at the origin (cos 0), cos = 9/15 = 0.6 at (3,0), 16/20 = 0.8 at (0,4).
     * Student: cos 0 at the origin, 1/sqrt2 at the other two vertices. Each vertex has 2 ordered triplets:
     *   paper: 2 * [huber(1/sqrt2 - 0.6) + huber(1/sqrt2 - 0.8)] / 6,  RKD: the same sum / 27,
     * with huber(x) = x^2/2 here.
     */
    @Test
    void angleLossByHand() {
        double a = 1 / R2 - 0.6;
        double b = 1 / R2 - 0.8;
        double sum = 2 * (0.5 * a * a + 0.5 * b * b);
        assertEquals(sum / 6, ReferenceLosses.angle(G, F, AngleLoss.paper()).value(), 1e-15);
        assertEquals(sum / 27, ReferenceLosses.angle(G, F, AngleLoss.rkd()).value(), 1e-15);
        assertEquals(0.00335017, sum / 6, 1e-8);
    }

    /*
     * LC. Centres from the labels: u0 = (0,0), u1 = ((3,0) + (0,4))/2 = (1.5, 2).
     *   sample 1: g = f = (0,0): distances to u0 both clamped to 1e-6, to u1 both 2.5: contributes 0.
     *   sample 2: |g - u0| = 1 vs |f - u0| = 3: (1-3)^2 = 4;  |g - u1| = |(-0.5,-2)| = sqrt(4.25) vs 2.5.
     *   sample 3: |g - u0| = 1 vs 4: 9;                        |g - u1| = |(-1.5,-1)| = sqrt(3.25) vs 2.5.
     * Mean over m*C = 6 entries. Batch-scope centres and the same centres given explicitly agree.
     * Gradient of sample 1: both of its terms vanish (clamped, or zero difference), so dLC/dg_1 = 0.
     */
    @Test
    void centerLossByHand() {
        double expected = (4 + sq(Math.sqrt(4.25) - 2.5) + 9 + sq(Math.sqrt(3.25) - 2.5)) / 6;
        var batch = ReferenceLosses.center(G, F, null, null, LABELS);
        var dataset = ReferenceLosses.center(G, F, null, new double[][] {{0, 0}, {1.5, 2}}, LABELS);
        assertEquals(expected, batch.value(), 1e-15);
        assertEquals(expected, dataset.value(), 1e-15);
        assertEquals(2.2797263, expected, 1e-7);
        assertArrayEquals(new double[] {0, 0}, batch.dStudent()[0], 0.0);
        // sample 2, centre u0: 2 (1 - 3)/6 * (g - u0)/1 = (-2/3, 0); centre u1: 2 (sqrt4.25 - 2.5)/6 * (-0.5,-2)/sqrt4.25
        double w = 2 * (Math.sqrt(4.25) - 2.5) / 6 / Math.sqrt(4.25);
        assertArrayEquals(new double[] {-2.0 / 3 - 0.5 * w, -2 * w}, batch.dStudent()[1], 1e-15);
    }

    /*
     * L1 (MAE). |f - g| is 0,0 | 2,0 | 0,3: 5 over m*d = 6 entries. dL/dg = sign(g - f)/6, and sign(0) = 0.
     */
    @Test
    void pointwiseLossByHand() {
        var r = ReferenceLosses.pointwise(G, F, null, PointwiseLoss.Metric.MAE);
        assertEquals(5.0 / 6, r.value(), 1e-15);
        assertArrayEquals(new double[] {0, 0}, r.dStudent()[0], 0.0);
        assertArrayEquals(new double[] {-1.0 / 6, 0}, r.dStudent()[1], 0.0);
        assertArrayEquals(new double[] {0, -1.0 / 6}, r.dStudent()[2], 0.0);
        assertEquals((4 + 9) / 6.0, ReferenceLosses.pointwise(G, F, null, PointwiseLoss.Metric.MSE).value(), 1e-15);
    }

    /* KD with equal logits is 0 with zero gradient; with T = 1 and one-hot-like teachers it is the cross-entropy gap. */
    @Test
    void hintonByHand() {
        double[][] s = {{1, 2, 3}};
        var same = ReferenceLosses.hinton(s, s, 2.0);
        assertEquals(0, same.value(), 1e-15);
        assertArrayEquals(new double[] {0, 0, 0}, same.dStudent()[0], 1e-15);
        // teacher probabilities (1/2, 1/2), student logits (0, log 3): ps = (1/4, 3/4).
        // KL = 1/2 log(2) + 1/2 log(2/3); gradient = ps - pt = (-1/4, 1/4).
        var r = ReferenceLosses.hinton(new double[][] {{0, Math.log(3)}}, new double[][] {{5, 5}}, 1.0);
        assertEquals(0.5 * Math.log(2) + 0.5 * Math.log(2.0 / 3), r.value(), 1e-15);
        assertArrayEquals(new double[] {-0.25, 0.25}, r.dStudent()[0], 1e-15);
    }

    /** Random problems, with exact duplicate rows, against the literal definitions. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void matchesBruteForce(int seed) {
        SplittableRandom rnd = TestData.random(seed);
        int m = 3 + rnd.nextInt(9);
        int ds = 1 + rnd.nextInt(6);
        int dt = 1 + rnd.nextInt(6);
        double[][] g = TestData.gaussian(rnd, m, ds, 1 + rnd.nextDouble() * 5, rnd.nextDouble() * 10);
        double[][] f = TestData.gaussian(rnd, m, dt, 1 + rnd.nextDouble() * 5, -rnd.nextDouble() * 10);
        if (seed % 2 == 1) {
            g[m - 1] = g[0].clone(); // a duplicate student point: its legs have no direction
            f[1] = f[m - 1].clone(); // and a duplicate teacher pair elsewhere
        }
        double[][] pg = BruteForce.normalisedDistances(g);
        double[][] pf = BruteForce.normalisedDistances(f);
        double l2 = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) l2 += Numerics.huber(pg[i][j] - pf[i][j]);
            }
        }
        assertEquals(l2 / (m * m), ReferenceLosses.distance(g, f, DistanceLoss.rkd()).value(), 1e-12 * Math.max(1, l2),
                "seed " + TestData.effectiveSeed(seed));
        double[][][] cg = BruteForce.angles(g);
        double[][][] cf = BruteForce.angles(f);
        double l3 = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                for (int k = 0; k < m; k++) {
                    if (i != j && j != k && i != k) l3 += Numerics.huber(cg[i][j][k] - cf[i][j][k]);
                }
            }
        }
        assertEquals(l3 / (m * (m - 1.0) * (m - 2)), ReferenceLosses.angle(g, f, AngleLoss.paper()).value(), 1e-12,
                "seed " + TestData.effectiveSeed(seed));
    }

    private static double sq(double x) {
        return x * x;
    }
}
