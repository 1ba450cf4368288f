package io.horkd.nd4j.dl4j;

import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Term;
import io.horkd.nd4j.HorkdLoss;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * horkd's objectives on features (e.g. {@code 0.02*l2 + 0.01*l3 + lc}: HORKD's terms and PKT; docs/LOSSES.md)
 * as a DL4J loss function, for the feature head of a student network:
 * <pre>{@code
 *   new OutputLayer.Builder().nIn(128).nOut(64).activation(Activation.IDENTITY)
 *           .lossFunction(LossHybridRelational.of(HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3"))))
 *           .build()
 * }</pre>
 *
 * <p><b>Labels</b> are the teacher's features of the mini-batch, {@code [m, dt]}. With LC on, the
 * examples' classes follow them as one-hot columns: {@code [m, dt + C]} ({@link #of(HorkdLoss, int)}).
 * {@code dt} may differ from the head's width {@code ds} when L1 and LC are off (L2 and L3 compare
 * relations, not features).
 *
 * <p><b>DL4J's conventions.</b> The relational terms are properties of the whole mini-batch, not sums
 * over examples, so "the loss of an example" does not exist: {@link #computeScoreArray} throws. The score
 * with {@code average = true} is the mini-batch's loss {@code L} (with {@code false}, {@code m L}), and
 * the gradient is that of {@code m L}, which DL4J's updater divides by the mini-batch size {@code m}: the
 * step follows {@code dL}, as for DL4J's own losses.
 *
 * <p><b>Masks</b> are per example: {@code [m]}, {@code [m, 1]}, or {@code [m, ds]} constant along each
 * row, of zeros and ones. A masked example leaves the mini-batch: the loss is that of the others, and
 * its row of the gradient is 0.
 *
 * <p>Float32 networks run on horkd's fast backend (CUDA where a device is found), float64 networks (as
 * in DL4J's gradient checks) on its float64 reference. The configuration serialises to DL4J's JSON, the objective in its text form.
 */
public final class LossHybridRelational implements ILossFunction {
    private static final long serialVersionUID = 1L;

    /** The objective in its text form ({@link Objective#parse}). */
    @JsonProperty private final String objective;
    /** The one-hot columns after the teacher features in the labels (0: none). */
    @JsonProperty private final int numClasses;
    /** Dataset-level class centres {@code [C][dt]} for LC, or null. */
    @JsonProperty private final double[][] centers;

    private transient HorkdLoss horkd;

    @JsonCreator
    private LossHybridRelational(@JsonProperty("objective") String objective, @JsonProperty("numClasses") int numClasses,
            @JsonProperty("centers") double[][] centers) {
        this.objective = Objective.parse(Objects.requireNonNull(objective, "objective")).toString();
        this.numClasses = numClasses;
        this.centers = centers;
        horkd(); // validates the combination
    }

    /** The loss with labels that are the teacher's features alone (LC must be off: it needs classes). */
    public static LossHybridRelational of(HorkdLoss loss) {
        return of(loss, 0);
    }

    /**
     * The loss with labels {@code [m, dt + numClasses]}: the teacher's features, then the examples'
     * classes one-hot. LC needs {@code numClasses > 0}; with dataset centres it must be their count.
     */
    public static LossHybridRelational of(HorkdLoss loss, int numClasses) {
        Objects.requireNonNull(loss, "loss");
        double[][] c = loss.centers() == null ? null : loss.centers().castTo(DataType.DOUBLE).toDoubleMatrix();
        return new LossHybridRelational(loss.objective().toString(), numClasses, c);
    }

    /** The loss this computes (built once per instance; also after deserialisation). */
    private HorkdLoss horkd() {
        HorkdLoss h = horkd;
        if (h != null) return h;
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        Objective o = Objective.parse(objective);
        if (!o.reading(Term.Reads.FEATURES).equals(o)) {
            throw new IllegalArgumentException("LossHybridRelational compares the head's features with the teacher's; "
                    + o + " has terms on other inputs (logits or stage outputs): use HorkdLoss in a SameDiff graph for those");
        }
        h = HorkdLoss.of(o);
        Optional<CenterLoss> lc = o.term(CenterLoss.class);
        if (lc.isPresent()) {
            if (numClasses == 0) {
                throw new IllegalArgumentException("LC (weight " + o.weight("lc") + ") needs the examples' classes: use "
                        + "LossHybridRelational.of(loss, numClasses) and append them one-hot to the labels");
            }
            if (lc.get().scope() == CenterLoss.Scope.DATASET) {
                if (centers == null) throw new IllegalArgumentException("LC with dataset scope needs centres");
                if (centers.length != numClasses) {
                    throw new IllegalArgumentException("numClasses = " + numClasses + " but the centres have "
                            + centers.length + " rows");
                }
                h = h.withCenters(Nd4j.createFromArray(centers));
            }
        }
        horkd = h;
        return h;
    }

    /** The objective this computes. */
    public Objective objective() {
        return horkd().objective();
    }

    /** The number of one-hot class columns after the teacher features in the labels. */
    public int numClasses() {
        return numClasses;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        double loss = evaluate(labels, preOutput, activationFn, mask, false).getFirst();
        return average ? loss : loss * preOutput.size(0);
    }

    /** Not defined: the relational terms belong to the mini-batch, not to its examples. */
    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        throw new UnsupportedOperationException("LossHybridRelational has no per-example score: its relational terms "
                + "(pairwise distances, triplet angles) are properties of the whole mini-batch; use computeScore");
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return evaluate(labels, preOutput, activationFn, mask, true).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
            INDArray mask, boolean average) {
        Pair<Double, INDArray> r = evaluate(labels, preOutput, activationFn, mask, true);
        return Pair.of(average ? r.getFirst() : r.getFirst() * preOutput.size(0), r.getSecond());
    }

    /** The mini-batch loss L and (when asked) the gradient of m L with respect to the pre-output. */
    private Pair<Double, INDArray> evaluate(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean gradient) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(preOutput, "preOutput");
        Objects.requireNonNull(activationFn, "activationFn");
        if (preOutput.rank() != 2) {
            throw new IllegalArgumentException("LossHybridRelational needs a 2-d pre-output [minibatch, features], got "
                    + Arrays.toString(preOutput.shape()) + " (flatten convolutional features before the head)");
        }
        long m = preOutput.size(0);
        if (labels.rank() != 2 || labels.size(0) != m || labels.size(1) <= numClasses) {
            throw new IllegalArgumentException("labels " + Arrays.toString(labels.shape()) + " must be [" + m
                    + ", dt" + (numClasses > 0 ? " + " + numClasses + "]: the teacher's features, then the classes one-hot"
                            : "]: the teacher's features") + ", for the pre-output " + Arrays.toString(preOutput.shape()));
        }
        long dt = labels.size(1) - numClasses;
        if ((horkd().objective().has("l1") || horkd().objective().has("lc")) && dt != preOutput.size(1)) {
            throw new IllegalArgumentException("L1 and LC compare the head's features with the teacher's: labels "
                    + Arrays.toString(labels.shape()) + " hold teacher features of width " + dt + ", the pre-output "
                    + Arrays.toString(preOutput.shape()) + " has width " + preOutput.size(1)
                    + " (give the head nOut = " + dt + ", or use L2 and L3 alone, which compare relations)");
        }
        int[] kept = keptRows(mask, preOutput);
        DataType type = preOutput.dataType();
        INDArray output = activationFn.getActivation(preOutput.dup('c'), true);
        INDArray teacher = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, dt)).castTo(type);
        INDArray classes = numClasses == 0 ? null : classIndices(labels, dt);
        if (kept.length < m) {
            if (kept.length == 0) {
                return Pair.of(0.0, gradient ? Nd4j.zeros(type, preOutput.shape()) : null);
            }
            output = Nd4j.pullRows(output, 1, kept, 'c');
            teacher = Nd4j.pullRows(teacher, 1, kept, 'c');
            if (classes != null) classes = Nd4j.createFromArray(pick(classes.toIntVector(), kept));
        }
        if (!gradient) return Pair.of(horkd().compute(output, teacher, classes)[0], null);

        INDArray dOut = Nd4j.create(type, output.shape(), 'c');
        double loss = horkd().computeWithGradient(output, teacher, classes, dOut)[0];
        dOut.muli(m); // the gradient of m L (DL4J divides by the mini-batch size)
        if (kept.length < m) {
            INDArray full = Nd4j.zeros(type, preOutput.shape());
            for (int i = 0; i < kept.length; i++) full.putRow(kept[i], dOut.getRow(i));
            dOut = full;
        }
        INDArray dPre = activationFn.backprop(preOutput.dup('c'), dOut).getFirst();
        return Pair.of(loss, dPre);
    }

    /** The class of each example from the one-hot columns after the teacher's {@code dt}. */
    private INDArray classIndices(INDArray labels, long dt) {
        double[][] oneHot = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(dt, dt + numClasses))
                .castTo(DataType.DOUBLE).toDoubleMatrix();
        int[] idx = new int[oneHot.length];
        for (int i = 0; i < oneHot.length; i++) {
            int hot = -1;
            for (int c = 0; c < numClasses; c++) {
                double v = oneHot[i][c];
                if (v == 1 && hot < 0) hot = c;
                else if (v != 0) hot = -2;
            }
            if (hot < 0) {
                throw new IllegalArgumentException("labels row " + i + ": columns " + dt + ".." + (dt + numClasses - 1)
                        + " must be one-hot (one 1, zeros elsewhere), got " + Arrays.toString(oneHot[i]));
            }
            idx[i] = hot;
        }
        return Nd4j.createFromArray(idx);
    }

    /** The rows a per-example mask keeps (all without a mask). */
    private static int[] keptRows(INDArray mask, INDArray preOutput) {
        int m = Math.toIntExact(preOutput.size(0));
        if (mask == null) {
            int[] all = new int[m];
            for (int i = 0; i < m; i++) all[i] = i;
            return all;
        }
        long[] sh = mask.shape();
        boolean perExample = (sh.length == 1 && sh[0] == m) || (sh.length == 2 && sh[0] == m
                && (sh[1] == 1 || sh[1] == preOutput.size(1)));
        if (!perExample) {
            throw new IllegalArgumentException("mask " + Arrays.toString(sh) + " must be per example ([" + m + "], ["
                    + m + ", 1] or " + Arrays.toString(preOutput.shape()) + ")");
        }
        double[][] v = mask.reshape(m, mask.length() / m).castTo(DataType.DOUBLE).toDoubleMatrix();
        int[] kept = new int[m];
        int n = 0;
        for (int i = 0; i < m; i++) {
            double first = v[i][0];
            for (double x : v[i]) {
                if (x != first || (x != 0 && x != 1)) {
                    throw new IllegalArgumentException("mask row " + i + " must be all 0 or all 1 (horkd masks whole "
                            + "examples), got " + Arrays.toString(v[i]));
                }
            }
            if (first == 1) kept[n++] = i;
        }
        return Arrays.copyOf(kept, n);
    }

    private static int[] pick(int[] values, int[] rows) {
        int[] r = new int[rows.length];
        for (int i = 0; i < rows.length; i++) r[i] = values[rows[i]];
        return r;
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "LossHybridRelational(" + objective + ", classes " + numClasses + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossHybridRelational l && objective.equals(l.objective) && numClasses == l.numClasses
                && Arrays.deepEquals(centers, l.centers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(objective, numClasses, Arrays.deepHashCode(centers));
    }
}
