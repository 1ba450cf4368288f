package io.horkd.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.backend.reference.ReferenceRakd;
import io.horkd.core.tensor.Features;
import io.horkd.core.testing.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resolution-aware distillation's pair-wise constraint and MMD: the fast float32 path against the float64
 * reference on fresh random inputs, finite differences of the reference (student and projection), the
 * invariances the definitions imply, and the degenerate cases METHODS.md decides.
 */
class RakdTermsTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    /** Student [2, m, 6], teacher [2, m, 9] far from the origin, projection [9, 6]. */
    private static LossInput input(long seed, int m) {
        SplittableRandom rnd = TestData.random(seed);
        Features s = TestData.features(rnd, 2, m, 6, 1, 0.3);
        Features t = TestData.features(rnd, 2, m, 9, 2, -1);
        float[] w = new float[9 * 6];
        for (int q = 0; q < w.length; q++) w[q] = (float) (0.4 * TestData.gaussian(rnd));
        return LossInput.of(s, t).withProjection(Projection.of(w, 9, 6));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 9, 40})
    void fastPathAgreesWithTheReference(int m) {
        for (String text : new String[] {"pairwise", "mmd", "pairwise + mmd + 0.5*l2"}) {
            Objective o = Objective.parse(text);
            LossInput in = input(10 + m, m);
            LossResult ref = o.computeWithGradient(Backends.reference(), in);
            LossResult fast = o.computeWithGradient(CPU, in);
            for (int b = 0; b < 2; b++) {
                assertEquals(ref.values()[b], fast.values()[b], 1e-11 * Math.abs(ref.values()[b]) + 1e-14, text + " m=" + m);
            }
            close(text + " dS", ref.studentGradient().toArray(), fast.studentGradient().toArray());
            close(text + " dP", ref.projectionGradient().toArray(), fast.projectionGradient().toArray());
        }
        // Without a projection: equal widths, MMD in the student's own space.
        SplittableRandom rnd = TestData.random(50 + m);
        LossInput same = LossInput.of(TestData.features(rnd, 1, m, 7, 1, 0), TestData.features(rnd, 1, m, 7, 1, 2));
        LossResult ref = Objective.parse("mmd + pairwise").computeWithGradient(Backends.reference(), same);
        LossResult fast = Objective.parse("mmd + pairwise").computeWithGradient(CPU, same);
        assertEquals(ref.values()[0], fast.values()[0], 1e-11 * Math.abs(ref.values()[0]) + 1e-14);
        close("no projection dS", ref.studentGradient().toArray(), fast.studentGradient().toArray());
    }

    private static void close(String what, float[] want, float[] got) {
        TestData.assertClose(what, want, got, 1e-6, 1e-6);
    }

    /** The pair-wise constraint's gradient, through the objective, by central differences on exact float64 input. */
    @Test
    void pairwiseGradientMatchesFiniteDifferences() {
        LossInput f32 = input(3, 5);
        int m = 5;
        Features t = Features.of(f32.teacher().toDoubleArray(), 2, m, 9);
        double[] x = f32.student().toDoubleArray();
        Objective o = Objective.parse("pairwise");
        Features gS = Features.zerosLike(Features.of(x, 2, m, 6));
        o.compute(Backends.reference(), LossInput.of(Features.of(x, 2, m, 6), t), GradientSink.into(gS));
        double[] analytic = gS.toDoubleArray();
        for (int q = 0; q < x.length; q++) {
            double keep = x[q];
            double h = 1e-6 * Math.max(1, Math.abs(keep));
            x[q] = keep + h;
            double up = sum(o.compute(Backends.reference(), LossInput.of(Features.of(x, 2, m, 6), t), null));
            x[q] = keep - h;
            double down = sum(o.compute(Backends.reference(), LossInput.of(Features.of(x, 2, m, 6), t), null));
            x[q] = keep;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, analytic[q], 1e-7 * Math.max(1, Math.abs(numeric)), "dS[" + q + "]");
        }
    }

    /**
     * MMD's gradient (student and projection) by central differences with the bandwidth held at its value
     * at the point, as METHODS.md defines the gradient (no gradient through the bandwidth).
     */
    @Test
    void mmdGradientMatchesFiniteDifferencesAtAFixedBandwidth() {
        SplittableRandom rnd = TestData.random(4);
        double[][] g = TestData.gaussian(rnd, 6, 4, 1, 0.5);
        double[][] f = TestData.gaussian(rnd, 6, 7, 1.5, -0.5);
        double[][] p = TestData.gaussian(rnd, 7, 4, 0.5, 0);
        var exact = ReferenceRakd.mmd(g, p, f);
        double[][] x = new double[6][7];
        for (int i = 0; i < 6; i++) for (int k = 0; k < 7; k++) for (int q = 0; q < 4; q++) x[i][k] += p[k][q] * g[i][q];
        double beta = ReferenceRakd.bandwidth(x, f);
        for (double[][] v : new double[][][] {g, p}) {
            double[][] analytic = v == g ? exact.dStudent() : exact.dProjection();
            for (int i = 0; i < v.length; i++) {
                for (int k = 0; k < v[i].length; k++) {
                    double keep = v[i][k];
                    double h = 1e-6;
                    v[i][k] = keep + h;
                    double up = ReferenceRakd.mmd(g, p, f, beta).value();
                    v[i][k] = keep - h;
                    double down = ReferenceRakd.mmd(g, p, f, beta).value();
                    v[i][k] = keep;
                    assertEquals((up - down) / (2 * h), analytic[i][k], 1e-8, (v == g ? "dG" : "dP") + "[" + i + "][" + k + "]");
                }
            }
        }
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    @Test
    void whatTheDefinitionsImply() {
        SplittableRandom rnd = TestData.random(77);
        double[][] g = TestData.gaussian(rnd, 12, 5, 1, 0);
        double[][] f = TestData.gaussian(rnd, 12, 5, 3, 1);
        // The pair-wise constraint sees directions only: a teacher that is the student scaled per row costs 0.
        double[][] scaledRows = new double[12][5];
        for (int i = 0; i < 12; i++) for (int k = 0; k < 5; k++) scaledRows[i][k] = g[i][k] * (0.5 + i);
        assertEquals(0.0, ReferenceRakd.pairwise(g, scaledRows).value(), 1e-15);
        // MMD: a set against itself is 0; the bandwidth follows the data, so a common scale or shift changes nothing.
        assertEquals(0.0, ReferenceRakd.mmd(g, null, g).value(), 1e-14);
        double base = ReferenceRakd.mmd(g, null, f).value();
        assertTrue(base > 0.05, "different sets are told apart: " + base);
        for (double c : new double[] {1e-6, 1e6}) {
            double[][] gc = new double[12][5];
            double[][] fc = new double[12][5];
            for (int i = 0; i < 12; i++) {
                for (int k = 0; k < 5; k++) {
                    gc[i][k] = c * g[i][k] + 1e3 * c;
                    fc[i][k] = c * f[i][k] + 1e3 * c;
                }
            }
            assertEquals(base, ReferenceRakd.mmd(gc, null, fc).value(), 1e-9 * base, "scale " + c);
            Features s32 = Features.of(toFloat(gc), 1, 12, 5);
            Features t32 = Features.of(toFloat(fc), 1, 12, 5);
            double fast = Objective.parse("mmd").compute(CPU, LossInput.of(s32, t32), null)[0];
            assertEquals(base, fast, 1e-4 * base, "fast path at scale " + c + " and offset 1000 spreads");
        }
    }

    private static float[] toFloat(double[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) for (int k = 0; k < x[0].length; k++) out[i * x[0].length + k] = (float) x[i][k];
        return out;
    }

    @Test
    void degenerateInputAsDecided() {
        // m = 1: no pair for the constraint; MMD of two points is finite with a gradient.
        for (CpuBackend unused : new CpuBackend[] {CPU}) {
            LossInput one = input(5, 1);
            LossResult r = Objective.parse("pairwise").computeWithGradient(CPU, one);
            assertEquals(0.0, r.values()[0]);
            for (float v : r.studentGradient().toArray()) assertEquals(0f, v);
            LossResult mm = Objective.parse("mmd").computeWithGradient(CPU, one);
            assertTrue(Double.isFinite(mm.values()[0]) && mm.values()[0] > 0);
        }
        // Every point equal (bandwidth 0): 0, zero gradient; duplicates and zero vectors stay finite.
        float[] same = new float[4 * 3];
        java.util.Arrays.fill(same, 2.5f);
        for (var backend : new io.horkd.core.loss.LossBackend[] {CPU, Backends.reference()}) {
            Features s = backend.takesFloat64() ? Features.of(new double[12], 1, 4, 3) : Features.of(same.clone(), 1, 4, 3);
            Features t = backend.takesFloat64() ? Features.of(new double[12], 1, 4, 3) : Features.of(same.clone(), 1, 4, 3);
            LossResult r = Objective.parse("mmd + pairwise").computeWithGradient(backend, LossInput.of(s, t));
            assertEquals(0.0, r.values()[0], 0.0);
            for (float v : r.studentGradient().toArray()) assertEquals(0f, v, 0f);
        }
        // Widths that differ without a projection are a named error.
        LossInput noP = LossInput.of(input(1, 4).student(), input(1, 4).teacher());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objective.parse("mmd").compute(CPU, noP, null));
        assertTrue(e.getMessage().contains("MMD needs a projection of shape [9, 6]"), e.getMessage());
    }
}
