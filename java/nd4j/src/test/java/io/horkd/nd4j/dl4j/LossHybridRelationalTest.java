package io.horkd.nd4j.dl4j;

import io.horkd.core.loss.Objective;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.nd4j.HorkdLoss;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The loss function on its own: values and gradients against the float64 reference, DL4J's scaling, masks, errors. */
class LossHybridRelationalTest {
    static final int M = 12;
    static final int D = 5;
    static final int C = 3;

    /** Seeded Gaussian [rows, cols] in the given type. */
    static INDArray gaussian(long seed, DataType type, double scale, double offset, int rows, int cols) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] v = new double[rows][cols];
        for (double[] row : v) {
            for (int k = 0; k < cols; k++) {
                double u = rnd.nextDouble();
                row[k] = offset + scale * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
            }
        }
        return Nd4j.createFromArray(v).castTo(type);
    }

    /** Every class at least once, then seeded. */
    static int[] classes(long seed, int m, int numClasses) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] l = new int[m];
        for (int i = 0; i < m; i++) l[i] = i < numClasses ? i : rnd.nextInt(numClasses);
        return l;
    }

    static INDArray oneHot(int[] l, int numClasses, DataType type) {
        INDArray h = Nd4j.zeros(type, l.length, numClasses);
        for (int i = 0; i < l.length; i++) h.putScalar(i, l[i], 1.0);
        return h;
    }

    /** Teacher features followed by the classes one-hot. */
    static INDArray packed(INDArray teacher, int[] l, int numClasses) {
        return Nd4j.hstack(teacher, oneHot(l, numClasses, teacher.dataType()));
    }

    static final double[][] CENTRES = gaussian(7, DataType.DOUBLE, 1, 2, C, D).toDoubleMatrix();

    /** All four terms, dataset centres; the paper's definitions. */
    static HorkdLoss paperLoss() {
        return HorkdLoss.of(Objective.parse("l1 + 0.02*l2 + 0.01*l3 + lc")).withCenters(Nd4j.createFromArray(CENTRES));
    }

    /** L = sum of weighted reference terms and its gradient, at the activations y. */
    static Pair<Double, double[][]> reference(double[][] y, double[][] f, int[] l) {
        ReferenceLosses.Result[] r = {ReferenceLosses.pointwise(y, f, null, PointwiseLoss.Metric.MAE),
            ReferenceLosses.distance(y, f, DistanceLoss.paper()), ReferenceLosses.angle(y, f, AngleLoss.paper()),
            ReferenceLosses.center(y, f, null, CENTRES, l)};
        double[] w = {1.0, 0.02, 0.01, 1.0};
        double value = 0;
        double[][] g = new double[y.length][y[0].length];
        for (int t = 0; t < 4; t++) {
            value += w[t] * r[t].value();
            for (int i = 0; i < y.length; i++) {
                for (int k = 0; k < y[0].length; k++) g[i][k] += w[t] * r[t].dStudent()[i][k];
            }
        }
        return Pair.of(value, g);
    }

    @Test
    void scoreIsTheMiniBatchLossAndTheGradientThatOfMTimesIt() {
        INDArray pre = gaussian(1, DataType.DOUBLE, 1, 0.5, M, D);
        INDArray teacher = gaussian(2, DataType.DOUBLE, 2, 1, M, D);
        int[] l = classes(3, M, C);
        LossHybridRelational loss = LossHybridRelational.of(paperLoss(), C);
        IActivation identity = Activation.IDENTITY.getActivationFunction();

        Pair<Double, double[][]> ref = reference(pre.toDoubleMatrix(), teacher.toDoubleMatrix(), l);
        Pair<Double, INDArray> got = loss.computeGradientAndScore(packed(teacher, l, C), pre, identity, null, true);
        assertEquals(ref.getFirst(), got.getFirst(), 1e-13 * ref.getFirst());
        assertEquals(ref.getFirst() * M, loss.computeScore(packed(teacher, l, C), pre, identity, null, false),
                1e-12 * ref.getFirst() * M);
        double[][] g = got.getSecond().toDoubleMatrix();
        for (int i = 0; i < M; i++) {
            for (int k = 0; k < D; k++) assertEquals(M * ref.getSecond()[i][k], g[i][k], 1e-12, "gradient [" + i + "," + k + "]");
        }
        assertArrayEquals(got.getSecond().data().asDouble(),
                loss.computeGradient(packed(teacher, l, C), pre, identity, null).data().asDouble(), 0.0);
    }

    @Test
    void gradientThroughTheActivationMatchesFiniteDifferences() {
        INDArray pre = gaussian(11, DataType.DOUBLE, 0.8, 0.2, M, D);
        INDArray labels = packed(gaussian(12, DataType.DOUBLE, 1, 0.5, M, D), classes(13, M, C), C);
        LossHybridRelational loss = LossHybridRelational.of(paperLoss(), C);
        IActivation tanh = Activation.TANH.getActivationFunction();
        INDArray g = loss.computeGradient(labels, pre, tanh, null);
        double eps = 1e-6;
        double worst = 0;
        for (int i = 0; i < M; i++) {
            for (int k = 0; k < D; k++) {
                INDArray plus = pre.dup();
                plus.putScalar(i, k, pre.getDouble(i, k) + eps);
                INDArray minus = pre.dup();
                minus.putScalar(i, k, pre.getDouble(i, k) - eps);
                // DL4J's gradient is that of the unaveraged score m L.
                double fd = (loss.computeScore(labels, plus, tanh, null, false)
                        - loss.computeScore(labels, minus, tanh, null, false)) / (2 * eps);
                worst = Math.max(worst, Math.abs(fd - g.getDouble(i, k)) / Math.max(1, Math.abs(fd)));
            }
        }
        assertTrue(worst < 1e-7, "worst finite-difference error " + worst);
    }

    @Test
    void float32AgreesWithFloat64() {
        INDArray pre = gaussian(21, DataType.DOUBLE, 1, 3, 40, 16);
        INDArray teacher = gaussian(22, DataType.DOUBLE, 1.5, -2, 40, 24);
        // ds != dt: the relational terms only.
        LossHybridRelational loss = LossHybridRelational.of(HorkdLoss.of(Objective.parse("l2 + 2*l3")));
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        Pair<Double, INDArray> d = loss.computeGradientAndScore(teacher, pre, identity, null, true);
        Pair<Double, INDArray> f = loss.computeGradientAndScore(teacher.castTo(DataType.FLOAT), pre.castTo(DataType.FLOAT),
                identity, null, true);
        assertEquals(DataType.FLOAT, f.getSecond().dataType());
        assertEquals(d.getFirst(), f.getFirst(), 1e-6 * d.getFirst());
        double scale = d.getSecond().amaxNumber().doubleValue();
        double err = f.getSecond().castTo(DataType.DOUBLE).sub(d.getSecond()).amaxNumber().doubleValue();
        assertTrue(err < 1e-5 * scale, "float32 gradient error " + err + " of " + scale);
    }

    @Test
    void maskedExamplesLeaveTheMiniBatch() {
        INDArray pre = gaussian(31, DataType.DOUBLE, 1, 0, M, D);
        INDArray teacher = gaussian(32, DataType.DOUBLE, 1, 0, M, D);
        int[] l = classes(33, M, C);
        l[M - 1] = 0; // classes 0..2 stay present among the kept rows 0..2
        LossHybridRelational loss = LossHybridRelational.of(paperLoss(), C);
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        int[] kept = {0, 1, 2, 4, 5, 7, 8, 10};
        double[] maskValues = new double[M];
        for (int i : kept) maskValues[i] = 1;

        INDArray sub = Nd4j.pullRows(pre, 1, kept);
        INDArray subTeacher = Nd4j.pullRows(teacher, 1, kept);
        int[] subLabels = new int[kept.length];
        for (int i = 0; i < kept.length; i++) subLabels[i] = l[kept[i]];
        Pair<Double, double[][]> ref = reference(sub.toDoubleMatrix(), subTeacher.toDoubleMatrix(), subLabels);

        for (INDArray mask : new INDArray[] {Nd4j.createFromArray(maskValues), Nd4j.createFromArray(maskValues).reshape(M, 1),
            Nd4j.createFromArray(maskValues).reshape(M, 1).repeat(1, D)}) {
            Pair<Double, INDArray> got = loss.computeGradientAndScore(packed(teacher, l, C), pre, identity, mask, true);
            assertEquals(ref.getFirst(), got.getFirst(), 1e-13 * ref.getFirst());
            double[][] g = got.getSecond().toDoubleMatrix();
            for (int r = 0, j = 0; r < M; r++) {
                boolean in = j < kept.length && kept[j] == r;
                for (int k = 0; k < D; k++) {
                    assertEquals(in ? M * ref.getSecond()[j][k] : 0.0, g[r][k], 1e-12, "row " + r);
                }
                if (in) j++;
            }
        }
        Pair<Double, INDArray> none = loss.computeGradientAndScore(packed(teacher, l, C), pre, identity,
                Nd4j.zeros(DataType.DOUBLE, M), true);
        assertEquals(0.0, none.getFirst());
        assertEquals(0.0, none.getSecond().amaxNumber().doubleValue());
    }

    @Test
    void badInputIsNamed() {
        LossHybridRelational loss = LossHybridRelational.of(paperLoss(), C);
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        INDArray pre = gaussian(41, DataType.DOUBLE, 1, 0, M, D);
        INDArray teacher = gaussian(42, DataType.DOUBLE, 1, 0, M, D);
        int[] l = classes(43, M, C);

        var e = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(teacher, pre.reshape(M, D, 1, 1), identity, null, true));
        assertTrue(e.getMessage().contains("2-d pre-output"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(packed(teacher, l, C).get(NDArrayIndex.interval(0, M - 1), NDArrayIndex.all()),
                        pre, identity, null, true));
        assertTrue(e.getMessage().contains("labels [11, 8] must be [12, dt + 3]"), e.getMessage());
        INDArray twoHot = packed(teacher, l, C);
        twoHot.putScalar(4, D + (l[4] + 1) % C, 1.0);
        e = assertThrows(IllegalArgumentException.class, () -> loss.computeScore(twoHot, pre, identity, null, true));
        assertTrue(e.getMessage().contains("labels row 4") && e.getMessage().contains("one-hot"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> loss.computeScore(
                packed(gaussian(44, DataType.DOUBLE, 1, 0, M, D + 1), l, C), pre, identity, null, true));
        assertTrue(e.getMessage().contains("teacher features of width 6, the pre-output [12, 5] has width 5"), e.getMessage());
        // The rest is checked by the core, with its messages: here centres of the wrong width.
        LossHybridRelational lcOnly = LossHybridRelational.of(HorkdLoss.of(Objective.parse("l2 + lc")).withCenters(Nd4j.createFromArray(CENTRES).get(NDArrayIndex.all(), NDArrayIndex.interval(0, D - 1))), C);
        e = assertThrows(IllegalArgumentException.class,
                () -> lcOnly.computeScore(packed(teacher, l, C), pre, identity, null, true));
        assertTrue(e.getMessage().contains("centers"), e.getMessage());

        INDArray halfMasked = Nd4j.ones(DataType.DOUBLE, M, D);
        halfMasked.putScalar(3, 2, 0.0);
        e = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(packed(teacher, l, C), pre, identity, halfMasked, true));
        assertTrue(e.getMessage().contains("mask row 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(packed(teacher, l, C), pre, identity, Nd4j.ones(DataType.DOUBLE, M + 1), true));
        assertTrue(e.getMessage().contains("per example"), e.getMessage());

        var u = assertThrows(UnsupportedOperationException.class,
                () -> loss.computeScoreArray(packed(teacher, l, C), pre, identity, null));
        assertTrue(u.getMessage().contains("mini-batch"), u.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> LossHybridRelational.of(paperLoss()));
        assertTrue(e.getMessage().contains("needs the examples' classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LossHybridRelational.of(paperLoss(), C + 1));
        assertTrue(e.getMessage().contains("numClasses = 4 but the centres have 3 rows"), e.getMessage());
    }

    @Test
    void javaSerialisationKeepsTheConfiguration() throws Exception {
        LossHybridRelational loss = LossHybridRelational.of(HorkdLoss.of(Objective.parse("0.5*l1(metric=mse) + 0.02*l2(function=huber, reduction=rkd) + 0.01*l3 + 2*lc(scope=batch)")), C);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(loss);
        }
        Object back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }
        assertEquals(loss, back);
        INDArray pre = gaussian(51, DataType.DOUBLE, 1, 0, M, D);
        INDArray labels = packed(gaussian(52, DataType.DOUBLE, 1, 0, M, D), classes(53, M, C), C);
        IActivation identity = Activation.IDENTITY.getActivationFunction();
        assertEquals(loss.computeScore(labels, pre, identity, null, true),
                ((LossHybridRelational) back).computeScore(labels, pre, identity, null, true), 0.0);
    }
}
