package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.tensor.MapShape;
import io.horkd.core.tensor.Shapes;
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
    private final MapShape studentMap;
    private final MapShape teacherMap;
    private final Features teacherLogits;

    private LossInput(Features student, Features teacher, Labels labels, int numClasses, ClassCenters centers,
            Projection projection, MapShape studentMap, MapShape teacherMap, Features teacherLogits) {
        this.student = Objects.requireNonNull(student, "student");
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.labels = labels;
        this.numClasses = numClasses;
        this.centers = centers;
        this.projection = projection;
        this.studentMap = studentMap;
        this.teacherMap = teacherMap;
        this.teacherLogits = teacherLogits;
    }

    public static LossInput of(Features student, Features teacher) {
        return new LossInput(student, teacher, null, 0, null, null, null, null, null);
    }

    /**
     * Student and teacher feature maps: each row of the features is one sample's map of the given shape
     * ({@code [B, m, C*H*W]}); the shapes may differ in every dimension.
     */
    public static LossInput maps(Features student, MapShape studentMap, Features teacher, MapShape teacherMap) {
        return new LossInput(student, teacher, null, 0, null, null, Objects.requireNonNull(studentMap, "studentMap"),
                Objects.requireNonNull(teacherMap, "teacherMap"), null);
    }

    /** Labels {@code [B, m]}; their class count is taken from the centres if any. */
    public LossInput withLabels(Labels labels) {
        return new LossInput(student, teacher, Objects.requireNonNull(labels, "labels"), numClasses, centers, projection,
                studentMap, teacherMap, teacherLogits);
    }

    /** Labels {@code [B, m]} that must lie in {@code 0..numClasses-1}. */
    public LossInput withLabels(Labels labels, int numClasses) {
        if (numClasses <= 0) throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        return new LossInput(student, teacher, Objects.requireNonNull(labels, "labels"), numClasses, centers, projection,
                studentMap, teacherMap, teacherLogits);
    }

    public LossInput withCenters(ClassCenters centers) {
        return new LossInput(student, teacher, labels, numClasses, Objects.requireNonNull(centers, "centers"), projection,
                studentMap, teacherMap, teacherLogits);
    }

    public LossInput withProjection(Projection projection) {
        return new LossInput(student, teacher, labels, numClasses, centers,
                Objects.requireNonNull(projection, "projection"), studentMap, teacherMap, teacherLogits);
    }

    /** The teacher's logits {@code [B, m, classes]} (DCT attention's gating on the teacher's correct samples). */
    public LossInput withTeacherLogits(Features logits) {
        return new LossInput(student, teacher, labels, numClasses, centers, projection, studentMap, teacherMap,
                Objects.requireNonNull(logits, "teacherLogits"));
    }

    /** The student's map shape, or null for features that are not maps. */
    public MapShape studentMap() {
        return studentMap;
    }

    /** The teacher's map shape, or null. */
    public MapShape teacherMap() {
        return teacherMap;
    }

    /** Null when not given. */
    public Features teacherLogits() {
        return teacherLogits;
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

    /**
     * Checks that what is given agrees with itself, whatever the terms: student and teacher hold the same
     * problems and samples, a projection maps the student width to the teacher's, centres have the
     * teacher width and the declared class count, labels match the student and lie in range, and every
     * value is finite. Throws naming the argument and the shapes.
     */
    public void checkGiven() {
        Shapes.requireSameRows("student", student, "teacher", teacher);
        if (projection != null && studentMap != null && teacherMap != null) {
            // On maps the projection is a 1x1 convolution (FitNet's regressor): teacher channels by student channels.
            if (projection.outDim() != teacherMap.channels() || projection.inDim() != studentMap.channels()) {
                throw new IllegalArgumentException("regressor (projection) " + Shapes.format(projection.outDim(), projection.inDim())
                        + " must map the student's " + studentMap.channels() + " channels to the teacher's "
                        + teacherMap.channels() + ": expected " + Shapes.format(teacherMap.channels(), studentMap.channels()));
            }
        } else if (projection != null) {
            if (projection.outDim() != teacher.cols() || projection.inDim() != student.cols()) {
                throw new IllegalArgumentException("projection " + Shapes.format(projection.outDim(), projection.inDim())
                        + " must map the student width " + student.cols() + " to the teacher width " + teacher.cols()
                        + ": expected " + Shapes.format(teacher.cols(), student.cols()));
            }
        }
        int classes = numClasses;
        if (centers != null) {
            if (centers.dim() != teacher.cols()) {
                throw new IllegalArgumentException("centers " + Shapes.format(centers.numClasses(), centers.dim())
                        + " must have the teacher width " + teacher.cols());
            }
            if (classes != 0 && classes != centers.numClasses()) {
                throw new IllegalArgumentException("labels were declared with " + classes + " classes but centers "
                        + Shapes.format(centers.numClasses(), centers.dim()) + " have " + centers.numClasses());
            }
            classes = centers.numClasses();
        }
        if (labels != null) {
            labels.requireMatches("labels", "student", student);
            labels.requireRange("labels", classes);
        }
        if (studentMap != null && studentMap.size() != student.cols()) {
            throw new IllegalArgumentException("student " + student.shape() + " cannot hold maps " + studentMap + " ("
                    + studentMap.size() + " values per sample)");
        }
        if (teacherMap != null && teacherMap.size() != teacher.cols()) {
            throw new IllegalArgumentException("teacher " + teacher.shape() + " cannot hold maps " + teacherMap + " ("
                    + teacherMap.size() + " values per sample)");
        }
        if (teacherLogits != null) {
            Shapes.requireSameRows("teacher logits", teacherLogits, "student", student);
            if (labels != null) labels.requireRange("labels", teacherLogits.cols());
            teacherLogits.requireFinite("teacher logits");
        }
        student.requireFinite("student");
        teacher.requireFinite("teacher");
        if (projection != null) projection.weights().requireFinite("projection");
        if (centers != null) centers.values().requireFinite("centers");
    }

    /**
     * For terms that compare student features with teacher-space quantities ({@code term}: L1, LC):
     * throws unless the widths agree or a projection is given.
     */
    void requireTeacherSpace(String term) {
        if (projection == null && student.cols() != teacher.cols()) {
            throw new IllegalArgumentException("student " + student.shape() + " and teacher " + teacher.shape()
                    + " differ in width (" + student.cols() + " vs " + teacher.cols() + "): " + term
                    + " needs a projection of shape " + Shapes.format(teacher.cols(), student.cols()));
        }
    }
}
