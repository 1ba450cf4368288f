package io.horkd.benchmarks;

import io.horkd.core.loss.Objective;
import io.horkd.nd4j.HorkdLoss;
import io.horkd.nd4j.HorkdNd4j;
import io.horkd.nd4j.HorkdOpExecutioner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SameDiff training step (forward, backward, Adam update) of a small LR student, with and without
 * a distillation loss on its feature layer: what the loss costs in a real step.
 *
 * <p>The student: 3 x image x image inputs (32: thumbnails; 64: low-resolution face crops),
 * conv3x3(16)-relu-maxpool, conv3x3(32)-relu-maxpool, dense(128)-relu
 * (the features, {@code ds = 128}), dense(10) with softmax cross-entropy. Teacher features {@code [m, 256]}
 * are placeholders, as a frozen teacher's output would be. The heads:
 * <ul>
 *   <li>{@code CE}: cross-entropy alone, the baseline;</li>
 *   <li>{@code CE_HORKD_RKD}: plus horkd's {@code 0.02 L2 + 0.01 L3} (one op);</li>
 *   <li>{@code CE_HORKD_PAPER}: plus horkd's paper loss {@code L1 + 0.02 L2 + 0.01 L3 + LC}, with a
 *       trainable projection {@code [256, 128]} and dataset centres;</li>
 *   <li>{@code CE_ND4J_RKD}: plus the same {@code 0.02 L2 + 0.01 L3} written in ND4J ops
 *       ({@link Nd4jRkd}, the form a DL4J user writes without horkd).</li>
 * </ul>
 * For horkd's heads, each iteration also prints the time spent inside horkd's ops per step, measured in
 * the same steps ({@link HorkdOpExecutioner#nanosInHorkdOps()}): the loss's share of the step without
 * the noise of comparing separate runs. For the others, compare with {@link StepLossBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dopexec=io.horkd.nd4j.HorkdOpExecutioner"})
public class TrainingStepBenchmark {
    public enum Head {
        CE,
        CE_HORKD_RKD,
        CE_HORKD_PAPER,
        CE_ND4J_RKD
    }

    static final int CLASSES = 10;
    static final int DS = 128;
    static final int DT = 256;

    @Param({"128"})
    int m;

    @Param({"32", "64"})
    int image;

    @Param({"CE", "CE_HORKD_RKD", "CE_HORKD_PAPER", "CE_ND4J_RKD"})
    Head head;

    /** Batches cycled through: one batch repeated is soon fitted, and then its tiny gradients turn denormal. */
    static final int BATCHES = 8;

    private SameDiff sd;
    private MultiDataSet[] batches;
    private int next;
    private Map<String, INDArray> initial;

    @Setup
    public void setup() {
        HorkdNd4j.install();
        SplittableRandom rnd = new SplittableRandom(7);
        sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3, image, image);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, CLASSES);
        SDVariable h = block(sd, x, 3, 16, rnd, "c1");
        int flat = 32 * (image / 4) * (image / 4);
        h = block(sd, h, 16, 32, rnd, "c2").reshape(-1, flat);
        SDVariable features = sd.nn().relu(h.mmul(weights(sd, "w3", rnd, flat, DS)).add(sd.zero("b3", DataType.FLOAT, DS)), 0);
        // Small initial logits and a modest learning rate keep every head in healthy early training for
        // the whole measurement: with He-scaled logits and Adam(1e-3) the cross-entropy-only student
        // collapsed to uniform predictions within 15 steps, after which its steps ran 3x slower.
        SDVariable w4 = sd.var("w4", gaussian(rnd, DS, CLASSES).muli(0.01));
        SDVariable logits = features.mmul(w4).add(sd.zero("b4", DataType.FLOAT, CLASSES));
        SDVariable loss = sd.loss().softmaxCrossEntropy("ce", y, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);

        List<String> labels = new ArrayList<>(List.of("y"));
        if (head != Head.CE) {
            SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1, DT);
            labels.add("t");
            SDVariable kd = switch (head) {
                case CE_HORKD_RKD -> HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3")).on(sd, features, t);
                case CE_HORKD_PAPER -> {
                    SDVariable l = sd.placeHolder("l", DataType.INT, -1);
                    labels.add("l");
                    SDVariable p = weights(sd, "p", rnd, DT, DS);
                    yield HorkdLoss.of(Objective.PAPER).withCenters(gaussian(rnd, CLASSES, DT)).on(sd, features, t, l, p);
                }
                case CE_ND4J_RKD -> Nd4jRkd.distance(sd, "rkd_d", features, t, m).mul(0.02)
                        .add(Nd4jRkd.angle(sd, "rkd_a", features, t, m, DS, DT).mul(0.01));
                default -> throw new IllegalStateException();
            };
            loss = loss.add(kd);
        }
        loss.rename("loss");
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-4)).dataSetFeatureMapping("x")
                .dataSetLabelMapping(labels.toArray(new String[0])).build());
        batches = new MultiDataSet[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            INDArray classes = oneHot(rnd, m);
            List<INDArray> labelArrays = new ArrayList<>(List.of(classes));
            if (head != Head.CE) labelArrays.add(gaussian(rnd, m, DT));
            if (head == Head.CE_HORKD_PAPER) labelArrays.add(classes.argMax(1).castTo(DataType.INT));
            batches[b] = new MultiDataSet(new INDArray[] {gaussian(rnd, m, 3, image, image)},
                    labelArrays.toArray(new INDArray[0]));
        }
        initial = new HashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) initial.put(v.name(), v.getArr().dup());
        }
        sd.fit(batches[0]); // builds the gradient graph and the updater state outside the measurement
    }

    /** conv3x3 (same) + bias, relu, maxpool 2x2, NCHW. */
    private static SDVariable block(SameDiff sd, SDVariable in, int cIn, int cOut, SplittableRandom rnd, String name) {
        SDVariable w = sd.var(name + "_w", gaussian(rnd, 3, 3, cIn, cOut).muli(Math.sqrt(2.0 / (9 * cIn))));
        SDVariable b = sd.zero(name + "_b", DataType.FLOAT, cOut);
        SDVariable c = sd.cnn().conv2d(in, w, b, Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1)
                .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build());
        return sd.cnn().maxPooling2d(sd.nn().relu(c, 0), Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                .isNHWC(false).build());
    }

    private static SDVariable weights(SameDiff sd, String name, SplittableRandom rnd, int in, int out) {
        return sd.var(name, gaussian(rnd, in, out).muli(Math.sqrt(2.0 / in)));
    }

    static INDArray gaussian(SplittableRandom rnd, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble()));
        }
        return Nd4j.create(v, shape, 'c');
    }

    static INDArray oneHot(SplittableRandom rnd, int m) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, m, CLASSES);
        for (int i = 0; i < m; i++) y.putScalar(i, i < CLASSES ? i : rnd.nextInt(CLASSES), 1f);
        return y;
    }

    private long steps;
    private long nanosAtStart;
    private long callsAtStart;
    private long wallAtStart;

    @Setup(Level.Iteration)
    public void startIteration() {
        // Every iteration trains from the same initial weights, so that all heads are timed in the same
        // regime (early training), not one that has fitted its data and another that has not.
        initial.forEach((name, value) -> sd.getVariable(name).getArr().assign(value));
        steps = 0;
        nanosAtStart = HorkdOpExecutioner.nanosInHorkdOps();
        callsAtStart = HorkdOpExecutioner.horkdOpCalls();
        wallAtStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void reportShare() {
        if (head == Head.CE || head == Head.CE_ND4J_RKD || steps == 0) return;
        double step = (System.nanoTime() - wallAtStart) / 1e6 / steps;
        double loss = (HorkdOpExecutioner.nanosInHorkdOps() - nanosAtStart) / 1e6 / steps;
        System.out.printf("  [horkd ops %.3f ms of a %.3f ms step: %.1f%%, %.1f op calls per step]%n", loss, step, 100 * loss / step,
                (double) (HorkdOpExecutioner.horkdOpCalls() - callsAtStart) / steps);
    }

    @Benchmark
    public Object step() {
        steps++;
        MultiDataSet batch = batches[next];
        next = (next + 1) % BATCHES;
        return sd.fit(batch);
    }
}
