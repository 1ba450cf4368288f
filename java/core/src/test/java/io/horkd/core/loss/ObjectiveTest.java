package io.horkd.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.testing.TestData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one description of a loss: its codecs round-trip, its errors are named, it composes terms. */
class ObjectiveTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    /** Every kind with every option away from its default, at an awkward weight. */
    private static Objective everything() {
        Objective o = Objective.NONE;
        double w = 0.125;
        for (TermKind<?> k : Terms.KINDS) {
            Map<String, Object> opts = new LinkedHashMap<>();
            List<Class<?>> types = k.optionTypes();
            for (int i = 0; i < types.size(); i++) {
                Class<?> t = types.get(i);
                Object d = k.options(k.defaults()).get(k.optionNames().get(i));
                Object v = t.isEnum() ? t.getEnumConstants()[(((Enum<?>) d).ordinal() + 1) % t.getEnumConstants().length]
                        : t == double.class ? (Double) d * 1.5 + 0.1 : t == int.class ? (Integer) d + 1 : !(Boolean) d;
                opts.put(k.optionNames().get(i), v);
            }
            o = o.with(w, k.create(opts));
            w = w * 3 + 1e-7;
        }
        return o;
    }

    @Test
    void textRoundTripsForEveryKindAndOption() {
        for (Objective o : List.of(everything(), Objective.PAPER, Objective.HORKD, Objective.NONE,
                Objective.parse("ce + kd(temperature=2.5)"), Objective.of(1e-20, AngleLoss.rkd()))) {
            assertEquals(o, Objective.parse(o.toString()), o.toString());
            assertEquals(o.toString(), Objective.parse(o.toString()).toString());
        }
        assertEquals(Terms.KINDS.size(), everything().terms().size());
    }

    @Test
    void mapRoundTripsForEveryKindAndOption() {
        for (Objective o : List.of(everything(), Objective.PAPER, Objective.NONE, Objective.parse("lc(scope=batch)"))) {
            assertEquals(o, Objective.fromMap(o.toMap()), o.toString());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lc", Map.of("scope", "batch"));
        m.put("l2", 0.02);
        m.put("kd", Map.of("weight", 0.5, "temperature", 3));
        m.put("l1", 0);
        assertEquals(Objective.parse("0.02*l2 + lc(scope=batch) + 0.5*kd(temperature=3)"), Objective.fromMap(m));
    }

    @Test
    void textIsCanonical() {
        assertEquals("l1 + 0.02*l2 + 0.01*l3 + lc", Objective.PAPER.toString());
        assertEquals("0.02*l2 + 0.01*l3 + lc", Objective.HORKD.toString());
        // Order, spacing, '*', zero weights and default options do not matter.
        Objective o = Objective.parse("  lc(scope=dataset) +0.01 l3+ 0.02*l2 + 0*l1 + 1*ce");
        assertEquals("ce + 0.02*l2 + 0.01*l3 + lc", o.toString());
        assertEquals("none", Objective.parse("").toString());
        assertEquals("0.02*l2(function=huber, reduction=rkd)", Objective.parse("2e-2*l2(reduction=RKD,function=huber)").toString());
        assertEquals(0.02, o.weight("l2"), 0.0);
        assertEquals(0.0, o.weight("kd"), 0.0);
        assertEquals(Objective.parse("ce + kd"), o.reading(Term.Reads.LOGITS).with(1, "kd"));
        assertEquals(Objective.parse("0.02*l2 + 0.01*l3 + lc"), o.reading(Term.Reads.FEATURES));
        assertEquals(Objective.parse("ce + 0.5*l2 + 0.01*l3 + lc"), o.with(0.5, "l2"));
        assertEquals(Objective.parse("ce + 0.01*l3 + lc"), o.with(0, "l2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"l9", "0.1*", "l2 +", "l2(function=cube)", "l2(size=3)", "kd(temperature=0)",
        "l2 + l2", "-1*l2", "l2(function=square", "l2 l3", "kd(temperature=)"})
    void badTextIsNamed(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> Objective.parse(text));
        assertTrue(e.getMessage().length() > 20, e.getMessage());
    }

    @Test
    void badTextMessagesSayWhatWasExpected() {
        assertEquals("unknown term 'l9' in \"l9\"; known: ce, l1, l2, l3, lc, kd, at, fitnet, dct, sp, pkt, dkd, pairwise, mmd, adv",
                assertThrows(IllegalArgumentException.class, () -> Objective.parse("l9")).getMessage());
        assertEquals("l2.function must be one of square, huber, got 'cube' in \"l2(function=cube)\"",
                assertThrows(IllegalArgumentException.class, () -> Objective.parse("l2(function=cube)")).getMessage());
        assertEquals("l2 has no option 'size'; its options: function, reduction in \"l2(size=3)\"",
                assertThrows(IllegalArgumentException.class, () -> Objective.parse("l2(size=3)")).getMessage());
        assertEquals("kd: temperature must be finite and > 0, got 0.0 in \"kd(temperature=0)\"",
                assertThrows(IllegalArgumentException.class, () -> Objective.parse("kd(temperature=0)")).getMessage());
        assertEquals("term l2 is given twice",
                assertThrows(IllegalArgumentException.class, () -> Objective.parse("l2 + 0.5*l2")).getMessage());
        assertEquals("objective \"l2 l3\": expected '+' at position 3 ('l3')",
                assertThrows(IllegalArgumentException.class, () -> Objective.parse("l2 l3")).getMessage());
    }

    @Test
    void idsAndKeysAreUnique() {
        assertEquals(Terms.KINDS.size(), Terms.KINDS.stream().map(TermKind::id).distinct().count());
        assertEquals(Terms.KINDS.size(), Terms.keys().stream().distinct().count());
        for (TermKind<?> k : Terms.KINDS) {
            assertEquals(k, Terms.byId(k.id()));
            assertEquals(k, k.defaults().kind());
            assertEquals(k.key(), k.defaults().name());
        }
    }

    @Test
    void termsThatReadDifferentInputsDoNotMix() {
        SplittableRandom rnd = TestData.random(11);
        Features s = TestData.features(rnd, 1, 5, 3, 1, 0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Objective.parse("ce + l2").compute(CPU, LossInput.of(s, s).withLabels(Labels.of(0, 1, 2, 0, 1)), null));
        assertTrue(e.getMessage().startsWith("the terms read different inputs (logits and features)"), e.getMessage());
    }

    /** CE and KD, the logit terms, against the float64 reference and by finite differences. */
    @Test
    void logitTermsAgreeWithTheReferenceAndTheirGradients() {
        SplittableRandom rnd = TestData.random(12);
        Features zs = TestData.features(rnd, 2, 6, 4, 3, 0);
        Features zt = TestData.features(rnd, 2, 6, 4, 3, 0);
        Labels y = TestData.labels(rnd, 2, 6, 4);
        Objective o = Objective.parse("0.7*ce + 0.3*kd(temperature=2)");
        LossInput in = LossInput.of(zs, zt).withLabels(y);
        for (LossBackend be : List.of(Backends.reference(), CPU)) {
            Features g = Features.zeros(2, 6, 4);
            Objective.Values v = o.computeTerms(be, in, GradientSink.into(g));
            for (int b = 0; b < 2; b++) {
                double ce = ReferenceLosses.crossEntropy(zs.problemAsDouble(b), y.problem(b)).value();
                double kd = ReferenceLosses.hinton(zs.problemAsDouble(b), zt.problemAsDouble(b), 2).value();
                assertEquals(ce, v.term("ce")[b], 1e-12 * ce);
                assertEquals(kd, v.term("kd")[b], 1e-12 * kd);
                assertEquals(0.7 * ce + 0.3 * kd, v.total()[b], 1e-12);
            }
            double[] x = zs.toDoubleArray();
            Features zt64 = Features.of(zt.toDoubleArray(), 2, 6, 4);
            double[] fd = new double[x.length];
            for (int q = 0; q < x.length; q++) {
                double keep = x[q];
                x[q] = keep + 1e-6;
                double up = o.value(Backends.reference(), LossInput.of(Features.of(x.clone(), 2, 6, 4), zt64).withLabels(y));
                x[q] = keep - 1e-6;
                double down = o.value(Backends.reference(), LossInput.of(Features.of(x.clone(), 2, 6, 4), zt64).withLabels(y));
                x[q] = keep;
                fd[q] = (up - down) / 2e-6;
            }
            float[] got = g.toArray();
            for (int q = 0; q < x.length; q++) assertEquals(fd[q], got[q], 1e-6 + 1e-5 * Math.abs(fd[q]), be.name() + " " + q);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropy().value(CPU, LossInput.of(zs, zt)));
        assertEquals("CE needs labels [2, 6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropy().value(CPU, LossInput.of(zs, zt).withLabels(Labels.of(new int[] {0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0}, 2, 6))));
        assertTrue(e.getMessage().contains("has label 4 at [0, 4], outside 0..3 (4 classes)"), e.getMessage());
    }

    /** Float64 features run exactly on the reference (what SameDiff's gradient checks see) and nowhere else. */
    @Test
    void float64FeaturesRunExactlyOnTheReference() {
        SplittableRandom rnd = TestData.random(13);
        int m = 7;
        double[] s = new double[m * 3];
        double[] t = new double[m * 5];
        for (int q = 0; q < s.length; q++) s[q] = TestData.gaussian(rnd);
        for (int q = 0; q < t.length; q++) t[q] = TestData.gaussian(rnd);
        Features s64 = Features.of(s, 1, m, 3);
        Features t64 = Features.of(t, 1, m, 5);
        Features g64 = Features.zerosLike(s64);
        Objective o = Objective.parse("0.02*l2 + 0.01*l3");
        double v = o.computeTerms(Backends.reference(), LossInput.of(s64, t64), GradientSink.into(g64)).totalSum();
        double[][] gs = new double[m][3];
        double[][] ft = new double[m][5];
        for (int i = 0; i < m; i++) {
            System.arraycopy(s, 3 * i, gs[i], 0, 3);
            System.arraycopy(t, 5 * i, ft[i], 0, 5);
        }
        var l2 = ReferenceLosses.distance(gs, ft, DistanceLoss.paper());
        var l3 = ReferenceLosses.angle(gs, ft, AngleLoss.paper());
        assertEquals(0.02 * l2.value() + 0.01 * l3.value(), v, 0.0);
        double[] want = new double[m * 3];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < 3; k++) want[3 * i + k] = 0.02 * l2.dStudent()[i][k] + 0.01 * l3.dStudent()[i][k];
        }
        assertArrayEquals(want, g64.toDoubleArray(), 1e-18);
        var e = assertThrows(IllegalArgumentException.class, () -> o.compute(CPU, LossInput.of(s64, t64), null));
        assertEquals("float64 features [1, 7, 3] need the reference backend; cpu takes float32", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> o.compute(Backends.reference(), LossInput.of(s64, t64),
                GradientSink.into(Features.zeros(1, m, 3))));
        assertTrue(e.getMessage().startsWith("student gradient Features[1, 7, 3] must have the precision of student"), e.getMessage());
    }

    /** A term alone computes what an objective of it alone computes. */
    @Test
    void aTermAloneIsAnObjectiveOfOne() {
        SplittableRandom rnd = TestData.random(14);
        Features s = TestData.features(rnd, 2, 6, 3, 1, 0);
        Features t = TestData.features(rnd, 2, 6, 4, 1, 0);
        for (Term term : List.of(DistanceLoss.rkd(), AngleLoss.paper())) {
            LossResult a = term.computeWithGradient(CPU, LossInput.of(s, t));
            LossResult b = Objective.of(1, term).computeWithGradient(CPU, LossInput.of(s, t));
            assertArrayEquals(a.values(), b.values(), 0.0);
            assertArrayEquals(a.studentGradient().toArray(), b.studentGradient().toArray(), 0f);
        }
    }
}
