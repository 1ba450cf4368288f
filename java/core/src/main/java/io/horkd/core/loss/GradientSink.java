package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import java.util.Objects;

/**
 * Where a loss writes its gradients: {@code dL/dstudent} (shaped like the student features) and, for
 * losses with a projection, {@code dL/dP} (shaped like the projection, summed over problems).
 *
 * <p>By default the targets are overwritten; {@link #accumulating()} adds to them instead (as a DL4J
 * gradient view or a shared buffer wants). {@link #upstream} scales each problem's gradient, for
 * backward passes that receive {@code dOut/dL_b}.
 */
public final class GradientSink {
    private final Features student;
    private final Features projection;
    private final boolean accumulate;
    private final double[] upstream;

    private GradientSink(Features student, Features projection, boolean accumulate, double[] upstream) {
        this.student = student;
        this.projection = projection;
        this.accumulate = accumulate;
        this.upstream = upstream;
    }

    /** Gradients into {@code studentGradient}, overwriting it. */
    public static GradientSink into(Features studentGradient) {
        return new GradientSink(Objects.requireNonNull(studentGradient, "studentGradient"), null, false, null);
    }

    /** Also {@code dL/dP} into {@code projectionGradient} ({@code [1, dt, ds]}). */
    public GradientSink withProjection(Features projectionGradient) {
        return new GradientSink(student, Objects.requireNonNull(projectionGradient, "projectionGradient"), accumulate,
                upstream);
    }

    /** Adds to the targets instead of overwriting them. */
    public GradientSink accumulating() {
        return new GradientSink(student, projection, true, upstream);
    }

    /** Scales problem {@code b}'s gradient by {@code perProblem[b]}. */
    public GradientSink upstream(double... perProblem) {
        return new GradientSink(student, projection, accumulate, perProblem.clone());
    }

    public Features student() {
        return student;
    }

    /** Null when no projection gradient is wanted. */
    public Features projection() {
        return projection;
    }

    public boolean isAccumulating() {
        return accumulate;
    }

    /** The upstream scale of problem {@code b} (1 when none was given). */
    public double upstream(int b) {
        return upstream == null ? 1.0 : upstream[b];
    }

    /** Null when none was given. */
    double[] upstreamOrNull() {
        return upstream;
    }
}
