package io.horkd.core.loss;

import io.horkd.core.tensor.Features;

/**
 * A distillation loss between student and teacher features of {@code B} independent problems.
 *
 * <p>{@link #compute} returns one value per problem and, when a {@link GradientSink} is given, writes the
 * gradient of {@code sum_b upstream_b * L_b} with respect to the student features (and the projection,
 * where the loss uses one). Teacher features, labels and centres are constants: they get no gradient.
 * The backend only changes speed and precision, never the definition.
 */
public interface DistillationLoss {
    /** Short name used in logs and JSON ({@code l1}, {@code l2}, ...). */
    String name();

    /**
     * Values of each problem; gradients into {@code grad} if it is not null.
     *
     * @throws IllegalArgumentException naming the argument when shapes disagree, values are not finite,
     *     labels are out of range or a required input (labels, centres, projection) is missing; nothing
     *     is written to {@code grad} then
     */
    double[] compute(LossBackend backend, LossInput input, GradientSink grad);

    /** The sum over problems of the values (the value itself for one problem), without gradient. */
    default double value(LossBackend backend, LossInput input) {
        double sum = 0;
        for (double v : compute(backend, input, null)) sum += v;
        return sum;
    }

    /** Values and freshly allocated gradients (the projection's only where the input has a projection). */
    default LossResult computeWithGradient(LossBackend backend, LossInput input) {
        Features student = input.student();
        Features gS = Features.zerosLike(student);
        GradientSink sink = GradientSink.into(gS);
        Features gP = null;
        if (input.projection() != null) {
            Features p = input.projection().weights();
            gP = Features.zerosLike(p);
            sink = sink.withProjection(gP);
        }
        double[] values = compute(backend, input, sink);
        return new LossResult(values, gS, gP);
    }
}
