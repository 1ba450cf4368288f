package io.horkd.core.backend.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Reduction;
import io.horkd.core.testing.BruteForce;
import io.horkd.core.testing.FiniteDifference;
import io.horkd.core.testing.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Central-difference checks of every analytic gradient of the float64 reference, for every option.
 * Tolerance: relative 1e-6 of each entry plus 1e-6 of the largest entry (float64 central differences
 * with h = 1e-6 are good to about 1e-9 here; kinks of |.|, Huber and the clamps are avoided by the
 * random draws, and the Huber cases are built to visit both branches).
 */
class ReferenceGradientTest {
    private static final double RTOL = 1e-6;

    @ParameterizedTest(name = "{0}, m={1}, ds={2}, dt={3}, projection={4}")
    @CsvSource({"MAE, 5, 6, 6, false", "MSE, 5, 6, 6, false", "MAE, 4, 3, 7, true", "MSE, 4, 7, 3, true",
            "MAE, 1, 1, 1, false"})
    void pointwise(PointwiseLoss.Metric metric, int m, int ds, int dt, boolean projection) {
        SplittableRandom rnd = TestData.random(11 + m * 31L + ds);
        double[][] g = TestData.gaussian(rnd, m, ds, 1, 0);
        double[][] f = TestData.gaussian(rnd, m, dt, 1, 0.5);
        double[][] p = projection ? TestData.gaussian(rnd, dt, ds, 0.5, 0) : null;
        var r = ReferenceLosses.pointwise(g, f, p, metric);
        FiniteDifference.check("L1 " + metric + " dg", g, r.dStudent(),
                x -> ReferenceLosses.pointwise(x, f, p, metric).value(), RTOL);
        if (projection) {
            FiniteDifference.check("L1 " + metric + " dP", p, r.dProjection(),
                    x -> ReferenceLosses.pointwise(g, f, x, metric).value(), RTOL);
        }
    }

    @ParameterizedTest(name = "{0} {1}, m={2}, ds={3}, dt={4}, outlier={5}")
    @CsvSource({"SQUARE, PAPER, 6, 4, 5, false", "SQUARE, RKD, 6, 4, 5, false", "HUBER, PAPER, 7, 3, 3, true",
            "HUBER, RKD, 7, 3, 6, true", "SQUARE, PAPER, 2, 1, 1, false", "HUBER, PAPER, 3, 1, 2, false",
            "SQUARE, PAPER, 9, 2, 8, true"})
    void distance(DistanceLoss.Function fn, Reduction reduction, int m, int ds, int dt, boolean outlier) {
        SplittableRandom rnd = TestData.random(101 + m * 7L + ds * 3L + dt);
        double[][] g = TestData.gaussian(rnd, m, ds, 1, 0.3);
        double[][] f = TestData.gaussian(rnd, m, dt, 2, -1);
        if (outlier) {
            // One far student point stretches some normalised distances by more than 1: Huber goes linear.
            for (int k = 0; k < ds; k++) g[0][k] += 12;
            assertTrue(BruteForce.linearShareL2(g, f) > 0, "the outlier case must reach Huber's linear branch");
        }
        DistanceLoss loss = DistanceLoss.of(fn, reduction);
        var r = ReferenceLosses.distance(g, f, loss);
        FiniteDifference.check("L2 " + loss, g, r.dStudent(), x -> ReferenceLosses.distance(x, f, loss).value(), RTOL);
    }

    @ParameterizedTest(name = "{0}, m={1}, ds={2}, dt={3}")
    @CsvSource({"PAPER, 3, 2, 2", "RKD, 4, 3, 5", "PAPER, 6, 2, 2", "RKD, 7, 4, 2", "PAPER, 8, 6, 3"})
    void angle(Reduction reduction, int m, int ds, int dt) {
        SplittableRandom rnd = TestData.random(7001 + m * 13L + ds * 5L + dt);
        double[][] g = TestData.gaussian(rnd, m, ds, 1, 2);
        double[][] f = TestData.gaussian(rnd, m, dt, 3, -4);
        AngleLoss loss = AngleLoss.of(reduction);
        if (ds == 2 && dt == 2 && m >= 6) {
            assertTrue(BruteForce.linearShareL3(g, f) > 0, "independent 2-d points must reach Huber's linear branch");
        }
        var r = ReferenceLosses.angle(g, f, loss);
        FiniteDifference.check("L3 " + loss, g, r.dStudent(), x -> ReferenceLosses.angle(x, f, loss).value(), RTOL);
    }

    @ParameterizedTest(name = "batch scope={0}, m={1}, ds={2}, dt={3}, projection={4}")
    @CsvSource({"false, 6, 4, 4, false", "true, 7, 4, 4, false", "false, 5, 3, 6, true", "true, 8, 6, 2, true"})
    void center(boolean batchScope, int m, int ds, int dt, boolean projection) {
        SplittableRandom rnd = TestData.random(9001 + m * 3L + ds + dt * 17L);
        double[][] g = TestData.gaussian(rnd, m, ds, 1, 0);
        double[][] f = TestData.gaussian(rnd, m, dt, 1.5, 1);
        double[][] p = projection ? TestData.gaussian(rnd, dt, ds, 0.7, 0) : null;
        int[] labels = TestData.labels(rnd, m, 3);
        double[][] centers = batchScope ? null : TestData.gaussian(rnd, 4, dt, 1, 1);
        var r = ReferenceLosses.center(g, f, p, centers, labels);
        FiniteDifference.check("LC dg", g, r.dStudent(), x -> ReferenceLosses.center(x, f, p, centers, labels).value(),
                RTOL);
        if (projection) {
            FiniteDifference.check("LC dP", p, r.dProjection(),
                    x -> ReferenceLosses.center(g, f, x, centers, labels).value(), RTOL);
        }
    }

    @ParameterizedTest(name = "T={0}, m={1}, C={2}")
    @CsvSource({"1.0, 4, 5", "3.5, 3, 10", "0.5, 2, 2"})
    void hinton(double temperature, int m, int classes) {
        SplittableRandom rnd = TestData.random(4242 + m + classes);
        double[][] s = TestData.gaussian(rnd, m, classes, 2, 0);
        double[][] t = TestData.gaussian(rnd, m, classes, 3, 1);
        var r = ReferenceLosses.hinton(s, t, temperature);
        FiniteDifference.check("KD T=" + temperature, s, r.dStudent(),
                x -> ReferenceLosses.hinton(x, t, temperature).value(), RTOL);
    }
}
