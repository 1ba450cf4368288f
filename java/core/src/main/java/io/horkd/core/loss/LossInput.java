package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import java.util.Objects;

/**
 * What a loss reads: student and teacher features of the same {@code B} problems and {@code m} samples
 * (widths {@code ds} and {@code dt} may differ), plus what some losses need: labels (batch-scope
 * centres), dataset-level class centres (LC) and a projection (L1 and LC when {@code ds != dt}).
 * Immutable; the {@code with*} methods return a new input.
 */
public final class LossInput {
    private final Features student;
    private final Features teacher;
    private final Labels labels;
    private final int numClasses;
    private final ClassCenters centers;
    private final Projection projection;

    private LossInput(Features student, Features teacher, Labels labels, int numClasses, ClassCenters centers,
            Projection projection) {
        this.student = Objects.requireNonNull(student, "student");
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.labels = labels;
        this.numClasses = numClasses;
        this.centers = centers;
        this.projection = projection;
    }

    public static LossInput of(Features student, Features teacher) {
        return new LossInput(student, teacher, null, 0, null, null);
    }

    /** Labels {@code [B, m]}; their class count is taken from the centres if any. */
    public LossInput withLabels(Labels labels) {
        return new LossInput(student, teacher, Objects.requireNonNull(labels, "labels"), numClasses, centers, projection);
    }

    /** Labels {@code [B, m]} that must lie in {@code 0..numClasses-1}. */
    public LossInput withLabels(Labels labels, int numClasses) {
        if (numClasses <= 0) throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        return new LossInput(student, teacher, Objects.requireNonNull(labels, "labels"), numClasses, centers, projection);
    }

    public LossInput withCenters(ClassCenters centers) {
        return new LossInput(student, teacher, labels, numClasses, Objects.requireNonNull(centers, "centers"), projection);
    }

    public LossInput withProjection(Projection projection) {
        return new LossInput(student, teacher, labels, numClasses, centers,
                Objects.requireNonNull(projection, "projection"));
    }

    public Features student() {
        return student;
    }

    public Features teacher() {
        return teacher;
    }

    /** Null when not given. */
    public Labels labels() {
        return labels;
    }

    /** The class count labels were declared with, or 0 when not declared. */
    public int numClasses() {
        return numClasses;
    }

    /** Null when not given. */
    public ClassCenters centers() {
        return centers;
    }

    /** Null when not given. */
    public Projection projection() {
        return projection;
    }
}
