package io.horkd.nd4j.ops;

import io.horkd.core.loss.Objective;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.nd4j.HorkdLoss;
import io.horkd.nd4j.HorkdNd4j;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** A forward op's gradient reaches the grad op that follows it only when that is exactly right. */
class GradientHandoverTest {
    static {
        HorkdNd4j.install();
    }

    private static INDArray gaussian(long seed, long... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return Nd4j.create(v, shape, 'c');
    }

    private static final Objective LOSS = Objective.parse("0.5*l1 + 0.02*l2 + 0.01*l3");

    /** student [B, m, 6], projection [8, 6], teacher [B, m, 8]. */
    private static List<INDArray> inputs(long seed, int batch) {
        return List.of(gaussian(seed, batch, 20, 6), gaussian(seed + 1, 8, 6), gaussian(seed + 2, batch, 20, 8));
    }

    private static final LossSpec SPEC = new LossSpec(LOSS, true, false, false);

    /** The grad op's outputs computed from scratch (no forward before it). */
    private static INDArray[] fresh(List<INDArray> in, double[] up) {
        GradientHandover.current().reset(); // nothing pending
        INDArray dS = Nd4j.create(DataType.FLOAT, in.get(0).shape());
        INDArray dP = Nd4j.create(DataType.FLOAT, in.get(1).shape());
        LossComputation.backward(SPEC, in, up, dS, dP);
        return new INDArray[] {dS, dP};
    }

    /** forward then backward, as in a training step after the first. */
    private static INDArray[] step(List<INDArray> forwardIn, List<INDArray> backwardIn, double[] up) {
        LossComputation.backward(SPEC, forwardIn, up, Nd4j.create(DataType.FLOAT, forwardIn.get(0).shape()),
                Nd4j.create(DataType.FLOAT, forwardIn.get(1).shape())); // this thread is now training
        LossComputation.forward(SPEC, forwardIn);
        INDArray dS = Nd4j.create(DataType.FLOAT, backwardIn.get(0).shape());
        INDArray dP = Nd4j.create(DataType.FLOAT, backwardIn.get(1).shape());
        LossComputation.backward(SPEC, backwardIn, up, dS, dP);
        return new INDArray[] {dS, dP};
    }

    private static void close(INDArray expected, INDArray actual) {
        double scale = expected.amaxNumber().doubleValue();
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(err <= 2e-7 * scale, "handed-over gradient off by " + err + " of " + scale);
    }

    @Test
    void handedOverGradientEqualsARecomputedOne() {
        List<INDArray> in = inputs(1, 2);
        double[] up = {2.5, 2.5};
        INDArray[] expected = fresh(in, up);
        long taken = GradientHandover.TAKEN.sum();
        INDArray[] got = step(in, in, up);
        assertEquals(taken + 1, GradientHandover.TAKEN.sum(), "the grad op took the forward's gradient");
        close(expected[0], got[0]);
        close(expected[1], got[1]);
    }

    @Test
    void perProblemFactorsScaleTheStudentGradientWithoutAProjectionGradient() {
        LossSpec noProjection = new LossSpec(Objective.parse("l2 + l3"), false, false, false);
        List<INDArray> in = List.of(gaussian(5, 3, 16, 4), gaussian(6, 3, 16, 7));
        double[] up = {1.0, -2.0, 0.5};
        GradientHandover.current().reset();
        INDArray expected = Nd4j.create(DataType.FLOAT, 3, 16, 4);
        LossComputation.backward(noProjection, in, up, expected, null);

        LossComputation.backward(noProjection, in, up, Nd4j.create(DataType.FLOAT, 3, 16, 4), null);
        LossComputation.forward(noProjection, in);
        long taken = GradientHandover.TAKEN.sum();
        INDArray got = Nd4j.create(DataType.FLOAT, 3, 16, 4);
        LossComputation.backward(noProjection, in, up, got, null);
        assertEquals(taken + 1, GradientHandover.TAKEN.sum());
        close(expected, got);
    }

    @Test
    void changedInputsOrUnequalFactorsWithAProjectionAreRecomputed() {
        List<INDArray> in = inputs(11, 2);
        List<INDArray> changed = List.of(in.get(0).dup(), in.get(1), in.get(2));
        changed.get(0).putScalar(new long[] {1, 3, 2}, changed.get(0).getFloat(1, 3, 2) + 1e-3f);
        long taken = GradientHandover.TAKEN.sum();
        INDArray[] got = step(in, changed, new double[] {1, 1});
        INDArray[] expected = fresh(changed, new double[] {1, 1});
        assertArrayEquals(expected[0].data().asFloat(), got[0].data().asFloat(), 0f);
        assertArrayEquals(expected[1].data().asFloat(), got[1].data().asFloat(), 0f);

        double[] unequal = {1, 2};
        got = step(in, in, unequal);
        expected = fresh(in, unequal);
        assertArrayEquals(expected[0].data().asFloat(), got[0].data().asFloat(), 0f);
        assertArrayEquals(expected[1].data().asFloat(), got[1].data().asFloat(), 0f);
        assertEquals(taken, GradientHandover.TAKEN.sum(), "nothing was handed over");
    }

    @Test
    void inferenceStopsComputingGradients() {
        List<INDArray> in = inputs(21, 1);
        step(in, in, new double[] {1}); // training
        LossComputation.forward(SPEC, in); // offers (still training)
        long offered = GradientHandover.OFFERED.sum();
        LossComputation.forward(SPEC, in); // the last offer was not taken: inference
        LossComputation.forward(SPEC, in);
        assertEquals(offered, GradientHandover.OFFERED.sum(), "no gradient computed for inference");
    }

    @Test
    void fitUsesTheHandoverAndTakesTheSameStepsAsRecomputedGradients() {
        HorkdLoss loss = HorkdLoss.of(Objective.parse("0.5*l1 + l2 + l3"));
        // A second term, as in a real step (cross-entropy + distillation): SameDiff then runs the loss's
        // forward op in fit (for the score), which it skips when the op's output is the whole loss.
        INDArray[] w = fitBothWays(31, new long[] {12, 6}, 2, (sd, in, teacher, wv, p) -> loss.on(sd, sd.math().tanh(in.mmul(wv)), teacher, null, p));
        assertTrue(w[1].sub(w[0]).amaxNumber().doubleValue() > 1e-3, "the steps moved w");
    }

    @Test
    void everyLossOpOfAStepIsHandedOverAndTheStepsAreUnchanged() {
        // Three loss ops in one graph, two of them with the same description and shapes (as AT on two stages
        // of equal size): all forwards run before any grad op, and each grad op must find its own forward's.
        HorkdLoss pointwise = HorkdLoss.of(Objective.parse("l1"));
        fitBothWays(41, new long[] {10, 12}, 6, (sd, in, teacher, w, p) -> HorkdLoss.of(Objective.parse("l2 + l3"))
                .on(sd, sd.math().tanh(in.mmul(w)), teacher).add(pointwise.on(sd, sd.math().tanh(in.mmul(p)), teacher))
                .add(pointwise.on(sd, sd.math().sin(in.mmul(p)), teacher)));
    }

    /** The distillation part of a test graph on placeholders x [n, 10], t [n, 12] and variables w [10, 6], p. */
    @FunctionalInterface
    private interface LossGraph {
        SDVariable build(SameDiff sd, SDVariable x, SDVariable t, SDVariable w, SDVariable p);
    }

    /**
     * Three fit steps of {@code loss + 1e-3 |w|^2} on random data from the same start, recomputing the
     * gradients and then with the handover: at least {@code minTaken} hand-overs, and (upstream 1: the
     * handed-over gradient is the recomputed one to the bit) identical steps. Returns w at start and after.
     */
    private static INDArray[] fitBothWays(long seed, long[] pShape, int minTaken, LossGraph loss) {
        INDArray x = gaussian(seed, 24, 10);
        INDArray t = gaussian(seed + 1, 24, 12);
        INDArray w0 = gaussian(seed + 2, 10, 6).muli(0.3);
        INDArray p0 = gaussian(seed + 3, pShape).muli(0.3);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.FLOAT, -1, 10);
        SDVariable teacher = sd.placeHolder("t", DataType.FLOAT, -1, 12);
        SDVariable w = sd.var("w", w0.dup());
        SDVariable p = sd.var("p", p0.dup());
        sd.setLossVariables(loss.build(sd, in, teacher, w, p).add(sd.math().square(w).sum().mul(1e-3)));
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.1)).dataSetFeatureMapping("x")
                .dataSetLabelMapping("t").build());
        MultiDataSet data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {t});
        INDArray[] recomputed = fit(sd, data, w0, p0, false);
        long taken = GradientHandover.TAKEN.sum();
        INDArray[] handedOver = fit(sd, data, w0, p0, true);
        long took = GradientHandover.TAKEN.sum() - taken;
        assertTrue(took >= minTaken, "the steps after the first hand over every op's gradient: " + took + " of " + minTaken);
        assertArrayEquals(recomputed[0].data().asFloat(), handedOver[0].data().asFloat(), 0f);
        assertArrayEquals(recomputed[1].data().asFloat(), handedOver[1].data().asFloat(), 0f);
        return new INDArray[] {w0, handedOver[0]};
    }

    /** w and p after three fit steps from w0, p0, with the handover on or off. */
    private static INDArray[] fit(SameDiff sd, MultiDataSet data, INDArray w0, INDArray p0, boolean handover) {
        sd.getVariable("w").getArr().assign(w0);
        sd.getVariable("p").getArr().assign(p0);
        GradientHandover.enabled = handover;
        try {
            for (int i = 0; i < 3; i++) sd.fit(data);
        } finally {
            GradientHandover.enabled = true;
        }
        return new INDArray[] {sd.getVariable("w").getArr().dup(), sd.getVariable("p").getArr().dup()};
    }
}
