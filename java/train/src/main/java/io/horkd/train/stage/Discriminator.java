package io.horkd.train.stage;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Resolution-aware distillation's discriminator (seed 002; METHODS.md): an MLP on pooled features,
 * {@code dt -> 256 -> 256 -> 1} with LeakyReLU(0.2), trained with BCE on its logit to tell the teacher's
 * HR features (target 1) from the student's LR features brought to the teacher's width (target 0), by
 * Adam (lr 1e-4, betas 0.5 and 0.999). It lives in a SameDiff graph of its own, so that its optimiser and
 * the student's never see each other's variables: the student's graph reads its weights as inputs
 * ({@link #weights}) for the generator term, and each {@link #step} takes features already detached from
 * the student.
 */
public final class Discriminator {
    /** Width of the two hidden layers. */
    public static final int HIDDEN = 256;
    /** LeakyReLU's slope below zero. */
    public static final double LEAK = 0.2;
    /** The variables, in layer order: what the student's graph reads. */
    public static final String[] VARIABLES = {"w1", "b1", "w2", "b2", "w3", "b3"};

    private static final String INPUT = "x";
    private static final String TARGET = "y";
    private static final String LOGIT = "logit";
    private static final String LOSS = "loss";

    private final SameDiff sd;
    private final int width;

    /** BCE loss and accuracy (logit > 0 for teacher features, <= 0 for the student's) of one step's batch, before the step. */
    public record Step(double loss, double accuracy) {}

    /** The shapes of {@link #VARIABLES} for {@code width}-d features. */
    public static long[][] shapes(int width) {
        return new long[][] {{width, HIDDEN}, {1, HIDDEN}, {HIDDEN, HIDDEN}, {1, HIDDEN}, {HIDDEN, 1}, {1, 1}};
    }

    /** A fresh discriminator for {@code width}-d features, He-initialised from {@code seed}, Adam at {@code lr}. */
    public Discriminator(int width, long seed, double lr) {
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("lr must be finite and > 0, got " + lr);
        this.width = width;
        this.sd = SameDiff.create();
        SplittableRandom rnd = new SplittableRandom(seed);
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, width);
        SDVariable y = sd.placeHolder(TARGET, DataType.FLOAT, -1, 1);
        // Weights He-initialised, biases 0, in the order and shapes of VARIABLES.
        long[][] shapes = shapes(width);
        SDVariable[] v = new SDVariable[VARIABLES.length];
        for (int q = 0; q < v.length; q++) {
            long[] sh = shapes[q];
            v[q] = sd.var(VARIABLES[q], q % 2 == 0 ? he(rnd, (int) sh[0], (int) sh[1]) : Nd4j.zeros(DataType.FLOAT, sh));
        }
        SDVariable logit = logit(sd, x, v[0], v[1], v[2], v[3], v[4], v[5]).rename(LOGIT);
        sd.loss().sigmoidCrossEntropy(LOSS, y, logit, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        sd.setLossVariables(LOSS);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(lr, 0.5, 0.999, 1e-8)).dataSetFeatureMapping(INPUT)
                .dataSetLabelMapping(TARGET).build());
    }

    /** METHODS.md's discriminator: Adam at 1e-4. */
    public Discriminator(int width, long seed) {
        this(width, seed, 1e-4);
    }

    private Discriminator(SameDiff sd, int width) {
        this.sd = sd;
        this.width = width;
    }

    /**
     * The logit of the MLP on {@code x} with the given weights, built in {@code graph}: the one definition
     * that both this graph and the student's (for the generator term, with the weights as inputs) use.
     */
    public static SDVariable logit(SameDiff graph, SDVariable x, SDVariable w1, SDVariable b1, SDVariable w2, SDVariable b2,
            SDVariable w3, SDVariable b3) {
        SDVariable h1 = graph.nn().leakyRelu(x.mmul(w1).add(b1), LEAK);
        SDVariable h2 = graph.nn().leakyRelu(h1.mmul(w2).add(b2), LEAK);
        return h2.mmul(w3).add(b3);
    }

    private static INDArray he(SplittableRandom rnd, int in, int out) {
        float[] v = new float[in * out];
        double sd = Math.sqrt(2.0 / ((1 + LEAK * LEAK) * in));
        for (int q = 0; q < v.length; q++) v[q] = (float) (sd * rnd.nextGaussian());
        return Nd4j.create(v, new long[] {in, out}, 'c');
    }

    /** Width of the features it takes. */
    public int width() {
        return width;
    }

    /** Its logits on features {@code x [n, width]}, {@code [n, 1]}. */
    public INDArray logits(INDArray x) {
        requireWidth("x", x);
        return sd.output(Map.of(INPUT, x), LOGIT).get(LOGIT);
    }

    /**
     * One Adam step on the teacher's features {@code hr} (target 1) and the student's {@code lr} (target 0),
     * both {@code [m, width]} and detached from the student; returns the batch's loss and accuracy before
     * the step.
     */
    public Step step(INDArray hr, INDArray lr) {
        requireWidth("hr", hr);
        requireWidth("lr", lr);
        INDArray x = Nd4j.concat(0, hr.castTo(DataType.FLOAT), lr.castTo(DataType.FLOAT));
        long m = hr.size(0);
        INDArray y = Nd4j.concat(0, Nd4j.ones(DataType.FLOAT, m, 1), Nd4j.zeros(DataType.FLOAT, lr.size(0), 1));
        Map<String, INDArray> out = sd.output(Map.of(INPUT, x, TARGET, y), LOGIT, LOSS);
        INDArray logit = out.get(LOGIT);
        int right = 0;
        for (int i = 0; i < x.size(0); i++) {
            boolean teacher = i < m;
            if ((logit.getDouble(i, 0) > 0) == teacher) right++;
        }
        Step before = new Step(out.get(LOSS).getDouble(0), right / (double) x.size(0));
        sd.fit(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}));
        return before;
    }

    /** Copies of its weights by name ({@link #VARIABLES}). */
    public Map<String, INDArray> weights() {
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (String v : VARIABLES) w.put(v, sd.getVariable(v).getArr().dup());
        return w;
    }

    /** Saves the weights and Adam's state (a resumed run continues exactly). */
    public void save(File file) {
        sd.save(file, true);
    }

    /** A discriminator saved by {@link #save}, with its optimiser state. */
    public static Discriminator load(File file) {
        SameDiff sd = SameDiff.load(file, true);
        return new Discriminator(sd, Math.toIntExact(sd.getVariable("w1").getShape()[0]));
    }

    private void requireWidth(String name, INDArray a) {
        if (a.rank() != 2 || a.size(1) != width) {
            throw new IllegalArgumentException(name + " must be [n, " + width + "], got " + java.util.Arrays.toString(a.shape()));
        }
    }
}
