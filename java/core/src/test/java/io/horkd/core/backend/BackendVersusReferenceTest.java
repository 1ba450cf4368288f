package io.horkd.core.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.DistillationLoss;
import io.horkd.core.loss.HintonKd;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.LossResult;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fast backend (CPU or CUDA: see the subclasses) against the float64 reference on random inputs over the ranges the losses
 * meet: m from 2 to 300, widths from 1 to 1024, 1 to 4 problems per call, per-column offsets up to 1000
 * and scales from 1e-4 to 1e4, some with exact duplicate rows.
 *
 * <p>Tolerances (the largest errors measured over these cases, 2026-11-21: values 6.1e-13 relative,
 * gradients 9.1e-8 of their max, which is the float32 rounding of the returned gradient; print them
 * with {@code -Dhorkd.test.report=true}):
 * <ul>
 *   <li>values: {@code |fast - ref| <= 1e-10 |ref| + 1e-15};</li>
 *   <li>gradients, max-norm: {@code max|fast - ref| <= 1e-6 max|ref| + 1e-7 g0}, where {@code g0} is the
 *       scale of the terms the gradient sums: {@code 1/(m mu_g)} for L2; for L3 the bound
 *       {@code max_p 4/(m(m-1)) sum_j 1/D_pj} (each angle moves by at most 1/D per unit of a leg's end);
 *       {@code 1/m} per unit of feature scale for L1 and LC. The absolute part matters only where the
 *       exact gradient is a cancellation of large terms: 1-d angles, all 0 or 180 degrees, whose exact
 *       gradient is 0.</li>
 * </ul>
 */
public abstract class BackendVersusReferenceTest {
    private static final boolean REPORT = Boolean.getBoolean("horkd.test.report");

    /** The backend under test. */
    protected abstract LossBackend backend();

    public record Case(long seed, int batch, int m, int ds, int dt, double scale, double offset, boolean duplicates) {
        @Override
        public String toString() {
            return "seed=" + seed + " B=" + batch + " m=" + m + " ds=" + ds + " dt=" + dt + " scale=" + scale
                    + " offset=" + offset + (duplicates ? " +duplicates" : "");
        }
    }

    public static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>(List.of(
                new Case(1, 1, 2, 1, 1, 1, 0, false),
                new Case(2, 2, 3, 1, 2, 1e-4, 1000, false),
                new Case(3, 4, 5, 7, 3, 1e4, 0, true),
                new Case(4, 2, 17, 64, 32, 1e-2, 1000, true),
                new Case(5, 1, 64, 256, 128, 1, 3, false),
                new Case(6, 1, 128, 1024, 512, 1e-4, 100, false),
                new Case(7, 1, 300, 16, 1024, 1, 1000, true),
                new Case(8, 3, 40, 1, 1, 1e3, 1000, false),
                new Case(9, 1, 300, 1024, 8, 1e4, 0, false),
                new Case(10, 4, 33, 3, 3, 1e-4, 0, true)));
        SplittableRandom rnd = TestData.random(20261121);
        for (int r = 0; r < 10; r++) {
            int m = 2 + rnd.nextInt(150);
            cases.add(new Case(100 + r, 1 + rnd.nextInt(4), m, logUniform(rnd, 1024), logUniform(rnd, 1024),
                    Math.pow(10, -4 + 8 * rnd.nextDouble()), rnd.nextInt(3) == 0 ? 0 : Math.pow(10, 3 * rnd.nextDouble()),
                    rnd.nextBoolean()));
        }
        return cases.stream();
    }

    private static int logUniform(SplittableRandom rnd, int max) {
        return (int) Math.max(1, Math.round(Math.exp(rnd.nextDouble() * Math.log(max))));
    }

    private static Features[] draw(Case c) {
        SplittableRandom rnd = TestData.random(c.seed);
        Features s = TestData.features(rnd, c.batch, c.m, c.ds, c.scale, c.offset);
        Features t = TestData.features(rnd, c.batch, c.m, c.dt, c.scale * (0.5 + rnd.nextDouble()), c.offset);
        if (c.duplicates && c.m >= 3) {
            for (int b = 0; b < c.batch; b++) {
                for (int k = 0; k < c.ds; k++) s.set(b, c.m - 1, k, s.get(b, 0, k)); // student pair (0, m-1)
                for (int k = 0; k < c.dt; k++) t.set(b, 1, k, t.get(b, 2, k)); // teacher pair (1, 2)
            }
        }
        return new Features[] {s, t};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void relationalLosses(Case c) {
        Features[] st = draw(c);
        LossInput in = LossInput.of(st[0], st[1]);
        double g2 = 1 / (c.m * meanDistance(st[0]));
        double g3 = angleGradientBound(st[0]);
        compare(c, "L2 paper", DistanceLoss.paper(), in, g2);
        compare(c, "L2 rkd", DistanceLoss.rkd(), in, g2);
        if (c.m >= 3) compare(c, "L3 paper", AngleLoss.paper(), in, g3);
        // Both together (one Gram, one shared product), the RKD pair with its usual weights.
        compare(c, "L2+L3 rkd", Objective.of(25, DistanceLoss.rkd()).with(50, AngleLoss.rkd()),
                in, 25 * g2 + 50 * g3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pointwiseAndCenterLosses(Case c) {
        Features[] st = draw(c);
        SplittableRandom rnd = TestData.random(c.seed + 7);
        Labels labels = TestData.labels(rnd, c.batch, c.m, 1 + rnd.nextInt(12));
        float[] pw = new float[c.dt * c.ds];
        for (int q = 0; q < pw.length; q++) pw[q] = (float) (TestData.gaussian(rnd) / Math.sqrt(c.ds));
        Projection p = Projection.of(pw, c.dt, c.ds);
        int classes = 1 + rnd.nextInt(16);
        float[] u = new float[classes * c.dt];
        for (int q = 0; q < u.length; q++) u[q] = (float) (c.offset * 0.5 + c.scale * TestData.gaussian(rnd));
        ClassCenters centers = ClassCenters.of(u, classes, c.dt);
        LossInput in = LossInput.of(st[0], st[1]).withProjection(p);
        double g0 = c.scale / c.m;
        compare(c, "L1 mae", PointwiseLoss.mae(), in, 1.0 / c.m);
        compare(c, "L1 mse", PointwiseLoss.mse(), in, g0 * (1 + c.offset / c.scale));
        compare(c, "LC dataset", CenterLoss.dataset(), in.withCenters(centers), g0 * (1 + c.offset / c.scale));
        compare(c, "LC batch", CenterLoss.batch(), in.withLabels(labels), g0 * (1 + c.offset / c.scale));
        if (c.ds == c.dt) {
            compare(c, "LC batch, identity", CenterLoss.batch(), LossInput.of(st[0], st[1]).withLabels(labels),
                    g0 * (1 + c.offset / c.scale));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hinton(Case c) {
        Features[] st = draw(c);
        if (st[0].cols() != st[1].cols()) return;
        compare(c, "KD T=4", HintonKd.withTemperature(4), LossInput.of(st[0], st[1]), 1.0 / c.m);
    }

    /**
     * Resolution-aware distillation's terms: the pair-wise constraint on any widths (its gradient scale
     * {@code 4 / (m |g|)}: cosine errors of order 1 through the normalisation), MMD through the projection
     * (scale {@code 4 |P| / (m sqrt(beta))}: the kernels' slopes times distances of order {@code sqrt(beta)}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rakdTerms(Case c) {
        Features[] st = draw(c);
        double norm = 0;
        double[][] g0 = st[0].problemAsDouble(0);
        for (double[] row : g0) norm += Math.sqrt(java.util.Arrays.stream(row).map(v -> v * v).sum()) / c.m;
        compare(c, "pair-wise", new io.horkd.core.loss.PairwiseConstraint(), LossInput.of(st[0], st[1]), 4 / (c.m * norm));
        SplittableRandom rnd = TestData.random(c.seed + 11);
        float[] pw = new float[c.dt * c.ds];
        double pf = 0;
        for (int q = 0; q < pw.length; q++) {
            pw[q] = (float) (TestData.gaussian(rnd) / Math.sqrt(c.ds));
            pf += (double) pw[q] * pw[q];
        }
        double[][] p = Projection.of(pw, c.dt, c.ds).weights().problemAsDouble(0);
        double[][] x = new double[c.m][c.dt];
        for (int i = 0; i < c.m; i++) for (int k = 0; k < c.dt; k++) for (int q = 0; q < c.ds; q++) x[i][k] += p[k][q] * g0[i][q];
        double beta = io.horkd.core.backend.reference.ReferenceRakd.bandwidth(x, st[1].problemAsDouble(0));
        compare(c, "MMD, projection", new io.horkd.core.loss.Mmd(), LossInput.of(st[0], st[1]).withProjection(Projection.of(pw, c.dt, c.ds)),
                4 * Math.sqrt(pf) / (c.m * Math.sqrt(Math.max(beta, 1e-300))));
    }

    private void compare(Case c, String what, DistillationLoss loss, LossInput in, double gradScale) {
        LossResult ref = loss.computeWithGradient(Backends.reference(), in);
        LossResult fast = loss.computeWithGradient(backend(), in);
        double valueErr = 0;
        for (int b = 0; b < ref.values().length; b++) {
            double err = Math.abs(fast.values()[b] - ref.values()[b]);
            valueErr = Math.max(valueErr, err / (Math.abs(ref.values()[b]) + 1e-300));
            assertTrue(err <= 1e-10 * Math.abs(ref.values()[b]) + 1e-15,
                    what + " value, problem " + b + ": fast " + fast.values()[b] + " vs reference " + ref.values()[b]
                            + " [" + c + "]");
        }
        double[] g = maxErrors(fast.studentGradient(), ref.studentGradient());
        assertTrue(g[0] <= 1e-6 * g[1] + 1e-7 * gradScale, what + " student gradient: max error " + g[0] + ", max |ref| "
                + g[1] + ", scale " + gradScale + " [" + c + "]");
        double[] gp = {0, 0};
        if (ref.projectionGradient() != null) {
            gp = maxErrors(fast.projectionGradient(), ref.projectionGradient());
            assertTrue(gp[0] <= 1e-6 * gp[1] + 1e-7 * gradScale * c.scale, what + " projection gradient: max error "
                    + gp[0] + ", max |ref| " + gp[1] + " [" + c + "]");
        }
        if (REPORT) {
            System.out.printf("%-6s %-18s %-70s value rel %.1e  grad rel %.1e  dP rel %.1e%n", backend().name(), what, c, valueErr,
                    g[0] / Math.max(g[1], 1e-300), gp[0] / Math.max(gp[1], 1e-300));
        }
    }

    /** {max |a - b|, max |b|}. */
    private static double[] maxErrors(Features a, Features b) {
        double err = 0;
        double max = 0;
        float[] x = a.toArray();
        float[] y = b.toArray();
        for (int q = 0; q < x.length; q++) {
            err = Math.max(err, Math.abs((double) x[q] - y[q]));
            max = Math.max(max, Math.abs(y[q]));
        }
        return new double[] {err, max};
    }

    /** {@code max_p 4/(m(m-1)) sum_j 1/D_pj} over the pairs that have a direction (see the class comment). */
    private static double angleGradientBound(Features x) {
        double bound = 0;
        for (int b = 0; b < x.batch(); b++) {
            double[][] rows = x.problemAsDouble(b);
            int m = rows.length;
            for (int p = 0; p < m; p++) {
                double sum = 0;
                for (int j = 0; j < m; j++) {
                    double sq = 0;
                    for (int k = 0; k < rows[p].length; k++) sq += (rows[p][k] - rows[j][k]) * (rows[p][k] - rows[j][k]);
                    if (j != p && sq >= io.horkd.core.loss.Numerics.EPS) sum += 1 / Math.sqrt(sq);
                }
                bound = Math.max(bound, 4 * sum / (m * (m - 1.0)));
            }
        }
        return bound;
    }

    private static double meanDistance(Features x) {
        double sum = 0;
        long count = 0;
        for (int b = 0; b < x.batch(); b++) {
            double[][] rows = x.problemAsDouble(b);
            for (int i = 0; i < rows.length; i++) {
                for (int j = i + 1; j < rows.length; j++) {
                    double sq = 0;
                    for (int k = 0; k < rows[i].length; k++) sq += (rows[i][k] - rows[j][k]) * (rows[i][k] - rows[j][k]);
                    sum += Math.sqrt(sq);
                    count++;
                }
            }
        }
        return count == 0 ? 1 : Math.max(sum / count, 1e-6);
    }
}
