package io.horkd.nd4j;

import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.Objective;
import io.horkd.nd4j.ops.HorkdLossOp;
import io.horkd.nd4j.ops.LossComputation;
import io.horkd.nd4j.ops.LossSpec;
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
 * An {@link Objective} as one SameDiff variable:
 * <pre>{@code
 *   SDVariable loss = HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3 + lc")).withCenters(centres)
 *           .on(sd, studentFeatures, teacherFeatures, labels);
 * }</pre>
 * The objective's terms must all read the same input: features ({@code [m, ds]} against {@code [m, dt]},
 * a scalar; {@code [B]} for {@code [B, m, ds]}), logits (KD, CE, DKD) or stage outputs ({@code [m, C, H, W]}
 * against the teacher's, of any size: AT, FitNet, DCT, SP). Exactly the definitions of the core
 * terms (docs/LOSSES.md). Gradients flow to the student input (and the projection) only: teacher
 * inputs, labels and centres enter as constants, whatever produced them.
 *
 * <p>Float32 graphs run on horkd's fast backend (CUDA where a device is found), float64 graphs on its
 * float64 reference. The graph saves and loads like any other (call {@link HorkdNd4j#install()} before
 * loading one in a fresh JVM).
 */
public final class HorkdLoss {
    private final Objective objective;
    private final INDArray centers;

    private HorkdLoss(Objective objective, INDArray centers) {
        this.objective = objective;
        this.centers = centers;
    }

    /** @throws IllegalArgumentException if the objective is empty or its terms read different inputs */
    public static HorkdLoss of(Objective objective) {
        new LossSpec(Objects.requireNonNull(objective, "objective"), false, false, false); // validates
        return new HorkdLoss(objective, null);
    }

    /** With dataset-level class centres {@code [C, dt]} for LC (see {@code CenterAccumulator}). */
    public HorkdLoss withCenters(INDArray centers) {
        Objects.requireNonNull(centers, "centers");
        if (centers.rank() != 2) throw new IllegalArgumentException("centers must be [C, dt], got " + centers.shapeInfoToString());
        return new HorkdLoss(objective, centers);
    }

    public HorkdLoss withCenters(ClassCenters centers) {
        return withCenters(Nd4j.create(centers.values().toArray(), new long[] {centers.numClasses(), centers.dim()}, 'c')
                .castTo(DataType.FLOAT));
    }

    public Objective objective() {
        return objective;
    }

    /** The dataset-level class centres {@code [C, dt]}, or null. */
    public INDArray centers() {
        return centers;
    }

    /** Whether LC takes dataset-level centres (which must then be given). */
    private boolean needsCenters() {
        return objective.term(CenterLoss.class).map(c -> c.scope() == CenterLoss.Scope.DATASET).orElse(false);
    }

    private void requireCenters() {
        if (needsCenters() && centers == null) {
            throw new IllegalArgumentException("LC with dataset-scope centres needs class centres: HorkdLoss.of(...)"
                    + ".withCenters(centres [C, dt]), or lc(scope=batch) with labels");
        }
    }

    /**
     * The loss of arrays, now, outside any graph: one value per problem ({@code [m, ds]} inputs are one
     * problem, {@code [B, m, ds]} are B). Labels (or null) as in {@link #on(SameDiff, SDVariable, SDVariable,
     * SDVariable)}. Float32 runs on the fast backend, float64 on the reference.
     */
    public double[] compute(INDArray student, INDArray teacher, INDArray labels) {
        return computeWithGradient(student, teacher, labels, null);
    }

    /**
     * {@link #compute} that also writes the gradient of the sum of the values with respect to the student
     * input into {@code studentGradient} (overwritten; same shape and type as {@code student}, C order)
     * when it is not null.
     */
    public double[] computeWithGradient(INDArray student, INDArray teacher, INDArray labels, INDArray studentGradient) {
        return computeWithGradient(student, teacher, labels, null, studentGradient);
    }

    /** {@link #computeWithGradient(INDArray, INDArray, INDArray, INDArray)} with the teacher's logits (or null). */
    public double[] computeWithGradient(INDArray student, INDArray teacher, INDArray labels, INDArray teacherLogits,
            INDArray studentGradient) {
        Objects.requireNonNull(student, "student");
        Objects.requireNonNull(teacher, "teacher");
        requireCenters();
        boolean withCenters = needsCenters();
        List<INDArray> in = new ArrayList<>(List.of(student, teacher));
        if (labels != null) in.add(labels);
        if (withCenters) in.add(centers.castTo(student.dataType()));
        if (teacherLogits != null) in.add(teacherLogits);
        LossSpec spec = new LossSpec(objective, false, labels != null, withCenters, teacherLogits != null);
        if (studentGradient == null) return LossComputation.forward(spec, in);
        if (!Arrays.equals(studentGradient.shape(), student.shape()) || studentGradient.dataType() != student.dataType()) {
            throw new IllegalArgumentException("studentGradient " + studentGradient.dataType() + " "
                    + Arrays.toString(studentGradient.shape()) + " must match student " + student.dataType() + " "
                    + Arrays.toString(student.shape()));
        }
        double[] up = new double[spec.reads() != io.horkd.core.loss.Term.Reads.MAPS && student.rank() == 3 ? Math.toIntExact(student.size(0)) : 1];
        Arrays.fill(up, 1.0);
        return LossComputation.backward(spec, in, up, studentGradient, null);
    }

    /** The loss of student against teacher inputs (no labels). */
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
        return on(sd, student, teacher, labels, projection, null);
    }

    /**
     * The loss with every optional input: labels, a projection (for terms on maps: FitNet's regressor as
     * a 1x1 convolution {@code [Ct, Cs]}), and the teacher's logits {@code [m, classes]} (DCT attention's
     * gating). Terms on maps take {@code [m, C, H, W]} student and teacher inputs.
     */
    public SDVariable on(SameDiff sd, SDVariable student, SDVariable teacher, SDVariable labels, SDVariable projection,
            SDVariable teacherLogits) {
        Objects.requireNonNull(sd, "sd");
        Objects.requireNonNull(student, "student");
        Objects.requireNonNull(teacher, "teacher");
        HorkdNd4j.install();
        requireCenters();
        boolean batchCenters = objective.term(CenterLoss.class).map(c -> c.scope() == CenterLoss.Scope.BATCH).orElse(false);
        if (batchCenters && labels == null) throw new IllegalArgumentException("LC with batch-scope centres needs labels");
        if (objective.has("ce") && labels == null) throw new IllegalArgumentException("CE needs labels");
        List<SDVariable> in = new ArrayList<>(List.of(student));
        if (projection != null) in.add(projection);
        in.add(teacher);
        if (labels != null) in.add(labels);
        SDVariable c = null;
        if (needsCenters()) {
            c = sd.constant(sd.generateNewVarName("horkd_centers", 0), centers.castTo(student.dataType()));
            in.add(c);
        }
        if (teacherLogits != null) in.add(teacherLogits);
        LossSpec spec = new LossSpec(objective, projection != null, labels != null, c != null, teacherLogits != null);
        return HorkdLossOp.of(sd, in.toArray(new SDVariable[0]), spec).outputVariables()[0];
    }

    @Override
    public String toString() {
        return "HorkdLoss[" + objective + (centers == null ? "" : ", centres " + Arrays.toString(centers.shape())) + "]";
    }
}
