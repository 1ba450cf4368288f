package io.horkd.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.tensor.MapShape;
import io.horkd.core.testing.TestData;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The methods beside HORKD as terms: the fast float32 path against the float64 reference on fresh random
 * cross-resolution inputs, the whole objective's gradient by finite differences in float64, edge cases
 * and named errors. (The reference itself is checked term by term in ReferenceMethodsTest, and against
 * an independent NumPy implementation in CI.)
 */
class MethodTermsTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static final MapShape S = new MapShape(3, 4, 5);
    private static final MapShape T = new MapShape(4, 7, 9);

    private static LossInput maps(SplittableRandom rnd, int batch, int m, MapShape s, MapShape t, int classes) {
        Features fs = TestData.features(rnd, batch, m, s.size(), 1, 0.2);
        Features ft = TestData.features(rnd, batch, m, t.size(), 2, -0.5);
        LossInput in = LossInput.maps(fs, s, ft, t).withLabels(TestData.labels(rnd, batch, m, classes))
                .withTeacherLogits(TestData.features(rnd, batch, m, classes, 2, 0));
        float[] w = new float[t.channels() * s.channels()];
        for (int q = 0; q < w.length; q++) w[q] = (float) (0.5 * TestData.gaussian(rnd));
        return in.withProjection(Projection.of(w, t.channels(), s.channels()));
    }

    private static final List<String> MAP_OBJECTIVES = List.of("at", "fitnet", "dct", "dct(transform=dft-real)",
            "dct(gate=false)", "sp", "1000*at + 100*fitnet + dct(gate=false) + 3000*sp");

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 9})
    void fastPathAgreesWithTheReference(int m) {
        for (String text : MAP_OBJECTIVES) {
            Objective o = Objective.parse(text);
            LossInput in = maps(TestData.random(100 + m), 2, m, S, T, 3);
            LossResult ref = o.computeWithGradient(Backends.reference(), in);
            LossResult fast = o.computeWithGradient(CPU, in);
            for (int b = 0; b < 2; b++) {
                assertEquals(ref.values()[b], fast.values()[b], 1e-12 * Math.abs(ref.values()[b]) + 1e-15, text + " m=" + m);
            }
            close(text + " dS", ref.studentGradient().toArray(), fast.studentGradient().toArray());
            close(text + " dP", ref.projectionGradient().toArray(), fast.projectionGradient().toArray());
        }
        SplittableRandom rnd = TestData.random(200 + m);
        Features g = TestData.features(rnd, 2, m, 6, 1, 0);
        Features f = TestData.features(rnd, 2, m, 9, 1, 0);
        Features zs = TestData.features(rnd, 2, m, 5, 2, 0);
        Features zt = TestData.features(rnd, 2, m, 5, 2, 0);
        Labels y = TestData.labels(rnd, 2, m, 5);
        for (var pair : List.of(new Object[] {Objective.parse("pkt"), LossInput.of(g, f)},
                new Object[] {Objective.parse("dkd"),
                    LossInput.of(zs, zt).withLabels(y)},
                new Object[] {Objective.parse("dkd(alpha=0.5, beta=2, temperature=2)"), LossInput.of(zs, zt).withLabels(y)})) {
            Objective o = (Objective) pair[0];
            LossInput in = (LossInput) pair[1];
            LossResult ref = o.computeWithGradient(Backends.reference(), in);
            LossResult fast = o.computeWithGradient(CPU, in);
            for (int b = 0; b < 2; b++) assertEquals(ref.values()[b], fast.values()[b], 1e-12 * Math.abs(ref.values()[b]) + 1e-15, o + " m=" + m);
            close(o + " dS", ref.studentGradient().toArray(), fast.studentGradient().toArray());
        }
    }

    /** The fast path's other branches: maps of the teacher's own size (no pooling), the hint without a regressor. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void fastPathAgreesWithTheReferenceWithoutPoolingOrRegressor(int m) {
        MapShape sameChannels = new MapShape(T.channels(), S.height(), S.width());
        for (MapShape s : List.of(T, sameChannels)) {
            for (String text : List.of("at", "fitnet", "dct", "1000*at + 100*fitnet + dct(gate=false)")) {
                Objective o = Objective.parse(text);
                LossInput in = maps(TestData.random(300 + m), 2, m, s, T, 3);
                in = LossInput.maps(in.student(), s, in.teacher(), T).withLabels(in.labels())
                        .withTeacherLogits(in.teacherLogits());
                LossResult ref = o.computeWithGradient(Backends.reference(), in);
                LossResult fast = o.computeWithGradient(CPU, in);
                for (int b = 0; b < 2; b++) {
                    assertEquals(ref.values()[b], fast.values()[b], 1e-12 * Math.abs(ref.values()[b]) + 1e-15, text + " " + s + " m=" + m);
                }
                close(text + " " + s + " dS", ref.studentGradient().toArray(), fast.studentGradient().toArray());
            }
        }
    }

    private static void close(String what, float[] want, float[] got) {
        TestData.assertClose(what, want, got, 2e-7, 1e-7);
    }

    /** The whole objective's gradient, student maps and regressor, by central differences on exact float64 input. */
    @Test
    void float64GradientsOfTheObjectiveMatchFiniteDifferences() {
        SplittableRandom rnd = TestData.random(7);
        int m = 4;
        LossInput f32 = maps(rnd, 1, m, S, T, 3);
        Features s = Features.of(f32.student().toDoubleArray(), 1, m, S.size());
        Features t = Features.of(f32.teacher().toDoubleArray(), 1, m, T.size());
        Features w = Features.of(f32.projection().weights().toDoubleArray(), 1, T.channels(), S.channels());
        Objective o = Objective.parse("1000*at + 100*fitnet + dct(gate=false) + 3000*sp");
        java.util.function.Function<double[][], LossInput> input = x -> LossInput.maps(Features.of(x[0], 1, m, S.size()), S, t, T)
                .withProjection(Projection.wrap(Features.of(x[1], 1, T.channels(), S.channels())));
        Features gS = Features.zerosLike(s);
        Features gP = Features.zerosLike(w);
        double[][] x = {s.toDoubleArray(), w.toDoubleArray()};
        o.compute(Backends.reference(), input.apply(x), GradientSink.into(gS).withProjection(gP));
        double[][] analytic = {gS.toDoubleArray(), gP.toDoubleArray()};
        for (int which = 0; which < 2; which++) {
            for (int probe = 0; probe < 25; probe++) {
                int q = rnd.nextInt(x[which].length);
                double keep = x[which][q];
                double h = 1e-6 * Math.max(1, Math.abs(keep));
                x[which][q] = keep + h;
                double up = o.value(Backends.reference(), input.apply(new double[][] {x[0].clone(), x[1].clone()}));
                x[which][q] = keep - h;
                double down = o.value(Backends.reference(), input.apply(new double[][] {x[0].clone(), x[1].clone()}));
                x[which][q] = keep;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, analytic[which][q], 1e-6 * Math.max(1, Math.abs(numeric)), (which == 0 ? "dS" : "dP") + "[" + q + "]");
            }
        }
    }

    /** Gating leaves out the samples the teacher gets wrong: their gradient is 0 and they add nothing. */
    @Test
    void theGateCountsOnlyTheTeachersRightSamples() {
        SplittableRandom rnd = TestData.random(8);
        int m = 6;
        LossInput in = maps(rnd, 1, m, S, T, 3);
        double[] right = io.horkd.core.backend.reference.ReferenceMethods.teacherCorrect(in.teacherLogits().problemAsDouble(0),
                in.labels().problem(0));
        LossResult gated = Objective.parse("dct").computeWithGradient(CPU, in);
        LossResult all = Objective.parse("dct(gate=false)").computeWithGradient(CPU, in);
        float[] g = gated.studentGradient().toArray();
        int wrong = 0;
        for (int i = 0; i < m; i++) {
            if (right[i] == 0) {
                wrong++;
                for (int q = 0; q < S.size(); q++) assertEquals(0f, g[i * S.size() + q], 0f);
            }
        }
        assertTrue(wrong > 0 && wrong < m, "the draw has both kinds: " + java.util.Arrays.toString(right));
        assertTrue(gated.value() < all.value());
    }

    @Test
    void constantAndZeroMapsGiveFiniteValuesAndNoGradientWhereThereIsNone() {
        int m = 3;
        Features zero = Features.zeros(1, m, S.size());
        Features t = TestData.features(TestData.random(9), 1, m, T.size(), 1, 0);
        for (String text : List.of("at", "dct(gate=false)", "sp")) {
            LossResult r = Objective.parse(text).computeWithGradient(CPU, LossInput.maps(zero, S, t, T));
            assertTrue(Double.isFinite(r.value()), text);
            assertArrayEquals(new float[m * S.size()], r.studentGradient().toArray(), 0f, text);
        }
        float[] c = new float[m * S.size()];
        java.util.Arrays.fill(c, 2.5f);
        LossResult r = Objective.parse("dct(gate=false)").computeWithGradient(CPU, LossInput.maps(Features.of(c, 1, m, S.size()), S, t, T));
        assertTrue(Double.isFinite(r.value()));
        assertArrayEquals(new float[m * S.size()], r.studentGradient().toArray(), 0f, "a constant map's min-max is 0");
    }

    @Test
    void badInputIsNamed() {
        SplittableRandom rnd = TestData.random(10);
        Features f = TestData.features(rnd, 1, 4, 6, 1, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("at").value(CPU, LossInput.of(f, f)));
        assertTrue(e.getMessage().startsWith("at compares feature maps: give them with LossInput.maps("), e.getMessage());
        LossInput swapped = LossInput.maps(TestData.features(rnd, 1, 4, T.size(), 1, 0), T, TestData.features(rnd, 1, 4, S.size(), 1, 0), S);
        e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("at").value(CPU, swapped));
        assertEquals("at: the student's map [4, 7, 9] is larger than the teacher's [3, 4, 5] (the teacher's is brought to the "
                + "student's size, never the other way)", e.getMessage());
        LossInput noRegressor = LossInput.maps(TestData.features(rnd, 1, 4, S.size(), 1, 0), S, TestData.features(rnd, 1, 4, T.size(), 1, 0), T);
        e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("fitnet").value(CPU, noRegressor));
        assertEquals("fitnet: the student's maps have 3 channels, the teacher's 4: give a regressor (projection) [4, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("dct").value(CPU, noRegressor));
        assertTrue(e.getMessage().startsWith("dct with gate=true weighs the samples the teacher classifies right"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LossInput.maps(f, S, f, T).checkGiven());
        assertEquals("student [1, 4, 6] cannot hold maps [3, 4, 5] (60 values per sample)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("dkd").value(CPU, LossInput.of(f, f)));
        assertEquals("dkd needs labels [1, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("at + l2").value(CPU, noRegressor));
        assertTrue(e.getMessage().startsWith("the terms read different inputs (features and maps)"), e.getMessage());
    }

    @Test
    void dkdRampsOverItsWarmup() {
        Dkd d = Dkd.defaults();
        assertEquals(0.05, d.ramp(0), 1e-15);
        assertEquals(0.5, d.ramp(9), 1e-15);
        assertEquals(1.0, d.ramp(19), 0.0);
        assertEquals(1.0, d.ramp(100), 0.0);
        assertEquals(1.0, new Dkd(1, 8, 4, 0).ramp(0), 0.0);
    }
}
