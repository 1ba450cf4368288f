package io.horkd.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decided behaviour of LOSSES.md's "Degenerate input" section and of the API contract (gradient
 * sinks, weights, batching), for every backend.
 */
class LossContractTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    static Stream<LossBackend> backends() {
        return Stream.of(Backends.reference(), CPU);
    }

    private static final float SENTINEL = 42f;

    private static Features filled(int b, int m, int d, float v) {
        float[] x = new float[b * m * d];
        Arrays.fill(x, v);
        return Features.of(x, b, m, d);
    }

    // ---------------------------------------------------------------- degenerate sizes and values

    @ParameterizedTest
    @MethodSource("backends")
    void tooFewSamplesGiveZeroLossAndZeroGradient(LossBackend backend) {
        SplittableRandom rnd = TestData.random(1);
        Features s1 = TestData.features(rnd, 2, 1, 4, 1, 0);
        Features t1 = TestData.features(rnd, 2, 1, 5, 1, 0);
        Features g = filled(2, 1, 4, SENTINEL);
        assertArrayEquals(new double[] {0, 0}, DistanceLoss.paper().compute(backend, LossInput.of(s1, t1),
                GradientSink.into(g)), 0.0);
        assertArrayEquals(new float[8], g.toArray(), 0f, "m = 1: L2's gradient is zero");
        Features s2 = TestData.features(rnd, 1, 2, 4, 1, 0);
        Features t2 = TestData.features(rnd, 1, 2, 5, 1, 0);
        Features g2 = filled(1, 2, 4, SENTINEL);
        assertEquals(0.0, AngleLoss.paper().compute(backend, LossInput.of(s2, t2), GradientSink.into(g2))[0], 0.0);
        assertArrayEquals(new float[8], g2.toArray(), 0f, "m = 2: L3's gradient is zero");
        // L2 with m = 2 is defined: one pair in each direction, both psi = 1, so the loss is 0 too.
        assertEquals(0.0, DistanceLoss.paper().value(backend, LossInput.of(s2, t2)), 1e-12);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void identicalStudentFeaturesGiveFiniteLossAndZeroGradient(LossBackend backend) {
        SplittableRandom rnd = TestData.random(2);
        Features s = filled(1, 7, 5, 3.25f);
        Features t = TestData.features(rnd, 1, 7, 6, 1, 0);
        Objective loss = Objective.parse("l2 + l3");
        Features g = filled(1, 7, 5, SENTINEL);
        Objective.Values v = loss.computeTerms(backend, LossInput.of(s, t), GradientSink.into(g));
        // Every student distance is clamped to 1e-6, so psi^g = 1 everywhere (mu = 1e-6 as well): L2 is the
        // mean of (1 - psi^f)^2; every student angle has no direction (0), so L3 = mean huber(-cos^f).
        assertTrue(Double.isFinite(v.sum("l2")) && v.sum("l2") > 0);
        assertTrue(Double.isFinite(v.sum("l3")) && v.sum("l3") > 0);
        assertArrayEquals(new float[35], g.toArray(), 0f);
        double[][] f = t.problemAsDouble(0);
        double[][] pf = io.horkd.core.testing.BruteForce.normalisedDistances(f);
        double expected = 0;
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 7; j++) expected += i == j ? 0 : (1 - pf[i][j]) * (1 - pf[i][j]);
        }
        assertEquals(expected / 42, v.sum("l2"), 1e-6 * expected / 42);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void identicalTeacherFeaturesStayFinite(LossBackend backend) {
        SplittableRandom rnd = TestData.random(3);
        Features s = TestData.features(rnd, 1, 6, 3, 1, 0);
        Features t = filled(1, 6, 3, -1f);
        LossResult r = Objective.parse("l2 + l3 + lc(scope=batch)")
                .computeWithGradient(backend, LossInput.of(s, t).withLabels(Labels.of(0, 1, 0, 1, 2, 2)));
        assertTrue(Double.isFinite(r.value()));
        for (float v : r.studentGradient().toArray()) assertTrue(Float.isFinite(v));
    }

    // ---------------------------------------------------------------- bad input: named, nothing written

    @ParameterizedTest
    @MethodSource("backends")
    void nonFiniteInputIsNamedAndNothingIsWritten(LossBackend backend) {
        SplittableRandom rnd = TestData.random(4);
        Features s = TestData.features(rnd, 2, 5, 3, 1, 0);
        Features t = TestData.features(rnd, 2, 5, 3, 1, 0);
        Features g = filled(2, 5, 3, SENTINEL);
        Objective loss = Objective.parse("l1 + l2 + l3 + lc(scope=batch)");
        LossInput in = LossInput.of(s, t).withLabels(TestData.labels(rnd, 2, 5, 3));

        s.set(1, 3, 2, Float.NaN);
        var e = assertThrows(IllegalArgumentException.class, () -> loss.compute(backend, in, GradientSink.into(g)));
        assertTrue(e.getMessage().contains("student [2, 5, 3] contains NaN at [1, 3, 2]"), e.getMessage());
        s.set(1, 3, 2, 0f);
        t.set(0, 0, 0, Float.NEGATIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class, () -> loss.compute(backend, in, GradientSink.into(g)));
        assertTrue(e.getMessage().contains("teacher [2, 5, 3] contains -Infinity at [0, 0, 0]"), e.getMessage());
        t.set(0, 0, 0, 0f);
        Features p = filled(1, 3, 3, 1f);
        p.set(0, 2, 1, Float.POSITIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class,
                () -> loss.compute(backend, in.withProjection(Projection.wrap(p)), GradientSink.into(g)));
        assertTrue(e.getMessage().contains("projection"), e.getMessage());
        float[] u = new float[9];
        u[4] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.dataset().compute(backend,
                in.withCenters(ClassCenters.of(u, 3, 3)), GradientSink.into(g)));
        assertTrue(e.getMessage().contains("centers"), e.getMessage());
        for (float v : g.toArray()) assertEquals(SENTINEL, v, "a rejected call writes nothing");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void disagreeingShapesNameBothShapes(LossBackend backend) {
        Features s = filled(1, 5, 3, 1f);
        var e = assertThrows(IllegalArgumentException.class,
                () -> DistanceLoss.paper().value(backend, LossInput.of(s, filled(1, 4, 3, 1f))));
        assertEquals("student [1, 5, 3] and teacher [1, 4, 3] disagree in row count m (5 vs 4)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AngleLoss.paper().value(backend, LossInput.of(s, filled(2, 5, 3, 1f))));
        assertEquals("student [1, 5, 3] and teacher [2, 5, 3] disagree in batch size (1 vs 2)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.batch().value(backend,
                LossInput.of(s, filled(1, 5, 3, 2f)).withLabels(Labels.of(0, 1, 2, 0))));
        assertEquals("labels [1, 4] do not match student [1, 5, 3]: expected [1, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PointwiseLoss.mae().value(backend,
                LossInput.of(s, filled(1, 5, 4, 1f))));
        assertTrue(e.getMessage().contains("differ in width (3 vs 4): L1 needs a projection of shape [4, 3]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PointwiseLoss.mae().value(backend,
                LossInput.of(s, filled(1, 5, 4, 1f)).withProjection(Projection.of(new float[12], 3, 4))));
        assertEquals("projection [3, 4] must map the student width 3 to the teacher width 4: expected [4, 3]",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DistanceLoss.paper().compute(backend,
                LossInput.of(s, filled(1, 5, 3, 2f)), GradientSink.into(filled(1, 5, 4, 0f))));
        assertEquals("student gradient [1, 5, 4] and student [1, 5, 3] must have the same shape", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.dataset().value(backend,
                LossInput.of(s, filled(1, 5, 3, 2f)).withCenters(ClassCenters.of(new float[8], 2, 4))));
        assertEquals("centers [2, 4] must have the teacher width 3", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void labelsOutOfRangeNameIndexAndValue(LossBackend backend) {
        Features s = filled(1, 4, 2, 1f);
        Features t = filled(1, 4, 2, 2f);
        var e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.dataset().value(backend,
                LossInput.of(s, t).withCenters(ClassCenters.of(new float[6], 3, 2)).withLabels(Labels.of(0, 2, 3, 1))));
        assertEquals("labels [1, 4] has label 3 at [0, 2], outside 0..2 (3 classes)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.batch().value(backend,
                LossInput.of(s, t).withLabels(Labels.of(0, -1, 1, 1))));
        assertTrue(e.getMessage().startsWith("labels [1, 4] has label -1 at [0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.batch().value(backend,
                LossInput.of(s, t).withLabels(Labels.of(0, 5, 1, 1), 5)));
        assertEquals("labels [1, 4] has label 5 at [0, 1], outside 0..4 (5 classes)", e.getMessage());
    }

    @Test
    void missingInputsAreNamed() {
        Features s = filled(1, 4, 2, 1f);
        var e = assertThrows(IllegalArgumentException.class,
                () -> CenterLoss.dataset().value(CPU, LossInput.of(s, s)));
        assertTrue(e.getMessage().startsWith("LC with dataset-scope centres needs class centers [C, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CenterLoss.batch().value(CPU, LossInput.of(s, s)));
        assertEquals("LC with batch-scope centres needs labels [1, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Objective.Weighted(-1, AngleLoss.paper()));
        assertEquals("the weight of l3 must be finite and >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HintonKd.withTemperature(0));
        assertEquals("temperature must be finite and > 0, got 0.0", e.getMessage());
    }

    // ---------------------------------------------------------------- API contract

    @ParameterizedTest
    @MethodSource("backends")
    void zeroWeightSkipsTheTermAndItsInputs(LossBackend backend) {
        SplittableRandom rnd = TestData.random(5);
        Features s = TestData.features(rnd, 1, 6, 3, 1, 0);
        Features t = TestData.features(rnd, 1, 6, 4, 1, 0);
        // gamma = 0 and w1 = 0: neither centres nor a projection are needed although the widths differ.
        Objective loss = Objective.parse("0*l1 + 0.02*l2 + 0.01*l3 + 0*lc");
        Objective.Values v = loss.computeTerms(backend, LossInput.of(s, t), null);
        assertFalse(loss.has("l1"));
        assertFalse(loss.has("lc"));
        assertEquals(0.02 * v.sum("l2") + 0.01 * v.sum("l3"), v.totalSum(), 1e-15);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void accumulateAndUpstreamScaleTheGradient(LossBackend backend) {
        SplittableRandom rnd = TestData.random(6);
        Features s = TestData.features(rnd, 2, 6, 3, 1, 0);
        Features t = TestData.features(rnd, 2, 6, 3, 1, 0);
        LossInput in = LossInput.of(s, t);
        Features plain = Features.zeros(2, 6, 3);
        AngleLoss.paper().compute(backend, in, GradientSink.into(plain));
        Features scaled = filled(2, 6, 3, 1f);
        AngleLoss.paper().compute(backend, in, GradientSink.into(scaled).accumulating().upstream(2.0, -0.5));
        float[] a = plain.toArray();
        float[] b = scaled.toArray();
        for (int q = 0; q < a.length; q++) {
            double expected = 1 + (q < 18 ? 2.0 : -0.5) * a[q];
            assertEquals(expected, b[q], 1e-6 * Math.abs(expected));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void hybridGradientIsTheWeightedSumOfItsTerms(LossBackend backend) {
        SplittableRandom rnd = TestData.random(7);
        Features s = TestData.features(rnd, 1, 9, 4, 1, 0.5);
        Features t = TestData.features(rnd, 1, 9, 6, 2, -1);
        float[] pw = new float[24];
        for (int q = 0; q < pw.length; q++) pw[q] = (float) TestData.gaussian(rnd);
        LossInput in = LossInput.of(s, t).withLabels(TestData.labels(rnd, 1, 9, 3)).withProjection(Projection.of(pw, 6, 4));
        Objective hybrid = Objective.parse("0.5*l1 + 0.02*l2 + 0.01*l3 + lc(scope=batch)");
        LossResult all = hybrid.computeWithGradient(backend, in);
        double[] sum = new double[36];
        double[] sumP = new double[24];
        double[] weights = {0.5, 0.02, 0.01, 1};
        DistillationLoss[] terms = {PointwiseLoss.mae(), DistanceLoss.paper(), AngleLoss.paper(), CenterLoss.batch()};
        double total = 0;
        for (int k = 0; k < 4; k++) {
            LossResult r = terms[k].computeWithGradient(backend, in);
            total += weights[k] * r.value();
            float[] gs = r.studentGradient().toArray();
            for (int q = 0; q < gs.length; q++) sum[q] += weights[k] * gs[q];
            float[] gp = r.projectionGradient().toArray();
            for (int q = 0; q < gp.length; q++) sumP[q] += weights[k] * gp[q];
        }
        assertEquals(total, all.value(), 1e-12 * Math.abs(total));
        float[] g = all.studentGradient().toArray();
        for (int q = 0; q < g.length; q++) assertEquals(sum[q], g[q], 1e-6 * (Math.abs(sum[q]) + 1e-6));
        float[] gp = all.projectionGradient().toArray();
        for (int q = 0; q < gp.length; q++) assertEquals(sumP[q], gp[q], 1e-6 * (Math.abs(sumP[q]) + 1e-6));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchedProblemsAreIndependent(LossBackend backend) {
        SplittableRandom rnd = TestData.random(8);
        Features s = TestData.features(rnd, 3, 7, 5, 1, 2);
        Features t = TestData.features(rnd, 3, 7, 4, 1, -2);
        Objective loss = Objective.parse("l2 + l3");
        LossResult all = loss.computeWithGradient(backend, LossInput.of(s, t));
        for (int b = 0; b < 3; b++) {
            Features sb = Features.of(Arrays.copyOfRange(s.toArray(), b * 35, (b + 1) * 35), 7, 5);
            Features tb = Features.of(Arrays.copyOfRange(t.toArray(), b * 28, (b + 1) * 28), 7, 4);
            LossResult one = loss.computeWithGradient(backend, LossInput.of(sb, tb));
            assertEquals(one.value(), all.values()[b], 0.0);
            assertArrayEquals(one.studentGradient().toArray(),
                    Arrays.copyOfRange(all.studentGradient().toArray(), b * 35, (b + 1) * 35), 0f);
        }
    }

    /** Views over direct buffers at an offset (how ND4J buffers arrive) give exactly the heap results. */
    @ParameterizedTest
    @MethodSource("backends")
    void directBuffersAtAnOffsetGiveTheSameResults(LossBackend backend) {
        SplittableRandom rnd = TestData.random(9);
        Features s = TestData.features(rnd, 2, 8, 3, 1, 0);
        Features t = TestData.features(rnd, 2, 8, 5, 1, 0);
        FloatBuffer ds = direct(7 + s.size());
        FloatBuffer dtb = direct(3 + t.size());
        FloatBuffer dg = direct(11 + s.size());
        ds.put(7, s.toArray());
        dtb.put(3, t.toArray());
        Objective loss = Objective.parse("l2 + l3");
        LossResult heap = loss.computeWithGradient(backend, LossInput.of(s, t));
        Features g = Features.wrap(dg, 11, 2, 8, 3);
        double[] v = loss.compute(backend, LossInput.of(Features.wrap(ds, 7, 2, 8, 3), Features.wrap(dtb, 3, 2, 8, 5)),
                GradientSink.into(g));
        assertArrayEquals(heap.values(), v, 0.0);
        assertArrayEquals(heap.studentGradient().toArray(), g.toArray(), 0f);
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
