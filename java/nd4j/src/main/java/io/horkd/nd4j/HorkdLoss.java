package io.horkd.nd4j;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.HybridLoss;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.nd4j.ops.AngleLossOp;
import io.horkd.nd4j.ops.CenterLossOp;
import io.horkd.nd4j.ops.DistanceLossOp;
import io.horkd.nd4j.ops.HorkdLossOp;
import io.horkd.nd4j.ops.HybridLossOp;
import io.horkd.nd4j.ops.LossComputation;
import io.horkd.nd4j.ops.LossSpec;
import io.horkd.nd4j.ops.PointwiseLossOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hybrid relational loss as one SameDiff variable:
 * <pre>{@code
 *   SDVariable loss = HorkdLoss.builder().distance(0.02).angle(0.01).center(1.0, centres).build()
 *           .on(sd, studentFeatures, teacherFeatures, labels);
 * }</pre>
 * {@code L = w1 L1 + alpha L2 + beta L3 + gamma LC} of the student features {@code [m, ds]} (a scalar;
 * {@code [B]} for {@code [B, m, ds]}) against the teacher's, with exactly the definitions of
 * {@link HybridLoss} (docs/LOSSES.md). Gradients flow to the student features (and the projection) only:
 * teacher features, labels and centres enter as constants, whatever produced them.
 *
 * <p>Float32 graphs run on horkd's fast backend (CUDA where a device is found), float64 graphs on its
 * float64 reference. The graph saves and loads like any other (call {@link HorkdNd4j#install()} before
 * loading one in a fresh JVM).
 */
public final class HorkdLoss {
    private final HybridLoss loss;
    private final INDArray centers;

    private HorkdLoss(HybridLoss loss, INDArray centers) {
        this.loss = loss;
        this.centers = centers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The core loss (weights and definitions) this computes. */
    public HybridLoss coreLoss() {
        return loss;
    }

    /** The dataset-level class centres {@code [C, dt]} LC uses, or null (LC off or batch scope). */
    public INDArray centers() {
        return centers;
    }

    /**
     * The loss of arrays, now, outside any graph: one value per problem ({@code [m, ds]} features are one
     * problem, {@code [B, m, ds]} are B). Labels (or null) as in {@link #on(SameDiff, SDVariable, SDVariable,
     * SDVariable)}. Float32 runs on the fast backend, float64 on the reference.
     */
    public double[] compute(INDArray student, INDArray teacher, INDArray labels) {
        return computeWithGradient(student, teacher, labels, null);
    }

    /**
     * {@link #compute} that also writes the gradient of the sum of the values with respect to the student
     * features into {@code studentGradient} (overwritten; same shape and type as {@code student}, C order)
     * when it is not null.
     */
    public double[] computeWithGradient(INDArray student, INDArray teacher, INDArray labels, INDArray studentGradient) {
        Objects.requireNonNull(student, "student");
        Objects.requireNonNull(teacher, "teacher");
        boolean datasetCenters = loss.isActive(HybridLoss.Term.LC) && loss.center().scope() == CenterLoss.Scope.DATASET;
        List<INDArray> in = new ArrayList<>(List.of(student, teacher));
        if (labels != null) in.add(labels);
        if (datasetCenters) in.add(centers.castTo(student.dataType()));
        LossSpec spec = LossSpec.of(loss, false, labels != null, datasetCenters);
        if (studentGradient == null) return LossComputation.forward(spec, in);
        if (!Arrays.equals(studentGradient.shape(), student.shape()) || studentGradient.dataType() != student.dataType()) {
            throw new IllegalArgumentException("studentGradient " + studentGradient.dataType() + " "
                    + Arrays.toString(studentGradient.shape()) + " must match student " + student.dataType() + " "
                    + Arrays.toString(student.shape()));
        }
        double[] up = new double[student.rank() == 3 ? Math.toIntExact(student.size(0)) : 1];
        Arrays.fill(up, 1.0);
        return LossComputation.backward(spec, in, up, studentGradient, null);
    }

    /** The loss of student against teacher features (no labels: no batch-scope centres). */
    public SDVariable on(SameDiff sd, SDVariable student, SDVariable teacher) {
        return on(sd, student, teacher, null, null);
    }

    /** The loss with labels ({@code [m]} integer class indices, or one-hot {@code [m, C]}). */
    public SDVariable on(SameDiff sd, SDVariable student, SDVariable teacher, SDVariable labels) {
        return on(sd, student, teacher, labels, null);
    }

    /**
     * The loss with labels (or null) and a projection {@code [dt, ds]} (or null) that L1 and LC apply to
     * the student features; a trainable variable gets its gradient.
     */
    public SDVariable on(SameDiff sd, SDVariable student, SDVariable teacher, SDVariable labels, SDVariable projection) {
        Objects.requireNonNull(sd, "sd");
        Objects.requireNonNull(student, "student");
        Objects.requireNonNull(teacher, "teacher");
        HorkdNd4j.install();
        boolean lc = loss.isActive(HybridLoss.Term.LC);
        boolean datasetCenters = lc && loss.center().scope() == CenterLoss.Scope.DATASET;
        if (lc && !datasetCenters && labels == null) {
            throw new IllegalArgumentException("LC with batch-scope centres needs labels");
        }
        List<SDVariable> in = new ArrayList<>(List.of(student));
        if (projection != null) in.add(projection);
        in.add(teacher);
        if (labels != null) in.add(labels);
        SDVariable c = null;
        if (datasetCenters) {
            c = sd.constant(sd.generateNewVarName("horkd_centers", 0), centers.castTo(student.dataType()));
            in.add(c);
        }
        LossSpec spec = LossSpec.of(loss, projection != null, labels != null, c != null);
        SDVariable[] inputs = in.toArray(new SDVariable[0]);
        HorkdLossOp op = single(sd, inputs, spec);
        return op.outputVariables()[0];
    }

    /** The named op of the only active term, or the fused hybrid op. */
    private HorkdLossOp single(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        int active = 0;
        HybridLoss.Term only = null;
        for (HybridLoss.Term t : HybridLoss.Term.values()) {
            if (loss.isActive(t)) {
                active++;
                only = t;
            }
        }
        if (active != 1) return new HybridLossOp(sd, inputs, spec);
        return switch (only) {
            case L1 -> new PointwiseLossOp(sd, inputs, spec);
            case L2 -> new DistanceLossOp(sd, inputs, spec);
            case L3 -> new AngleLossOp(sd, inputs, spec);
            case LC -> new CenterLossOp(sd, inputs, spec);
        };
    }

    /** Weights and definitions; every term starts off (weight 0). */
    public static final class Builder {
        private final HybridLoss.Builder core = HybridLoss.builder();
        private INDArray centers;

        private Builder() {}

        public Builder pointwise(double w1) {
            core.pointwise(w1);
            return this;
        }

        public Builder pointwise(double w1, PointwiseLoss loss) {
            core.pointwise(w1, loss);
            return this;
        }

        public Builder distance(double alpha) {
            core.distance(alpha);
            return this;
        }

        public Builder distance(double alpha, DistanceLoss loss) {
            core.distance(alpha, loss);
            return this;
        }

        public Builder angle(double beta) {
            core.angle(beta);
            return this;
        }

        public Builder angle(double beta, AngleLoss loss) {
            core.angle(beta, loss);
            return this;
        }

        /** LC with dataset-level class centres {@code [C, dt]} (see {@code CenterAccumulator}). */
        public Builder center(double gamma, INDArray centers) {
            Objects.requireNonNull(centers, "centers");
            if (centers.rank() != 2) throw new IllegalArgumentException("centers must be [C, dt], got " + centers.shapeInfoToString());
            core.center(gamma, CenterLoss.dataset());
            this.centers = centers;
            return this;
        }

        /** LC with dataset-level class centres. */
        public Builder center(double gamma, ClassCenters centers) {
            return center(gamma, Nd4j.create(centers.values().toArray(), new long[] {centers.numClasses(), centers.dim()}, 'c')
                    .castTo(DataType.FLOAT));
        }

        /** LC with the centres of each mini-batch (needs labels). */
        public Builder batchCenter(double gamma) {
            core.center(gamma, CenterLoss.batch());
            this.centers = null;
            return this;
        }

        public HorkdLoss build() {
            return new HorkdLoss(core.build(), centers);
        }
    }
}
