package io.horkd.core.loss;

import io.horkd.core.tensor.Features;

/**
 * Values per problem and the gradients of their sum.
 *
 * @param values one value per problem
 * @param studentGradient dL/dstudent, shaped like the student features
 * @param projectionGradient dL/dP {@code [1, dt, ds]}, or null where the loss used no projection
 */
public record LossResult(double[] values, Features studentGradient, Features projectionGradient) {
    /** Sum of {@link #values} (the value itself for one problem). */
    public double value() {
        double sum = 0;
        for (double v : values) sum += v;
        return sum;
    }
}
