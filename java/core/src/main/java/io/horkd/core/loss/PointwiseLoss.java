package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import java.util.Objects;

/**
 * L1, the point-wise loss (order 1): {@code mean_i mean_k |f_ik - (P g_i)_k|} (MAE), or the mean squared
 * error. {@code P} is the identity when student and teacher widths agree and no projection is given,
 * otherwise the learned linear map {@code [dt, ds]} of the input (FitNet-style), whose gradient is
 * returned too.
 */
public record PointwiseLoss(Metric metric) implements Term {
    /** The point-wise penalty. */
    public enum Metric {
        /** Mean absolute error; the gradient at an exact match is 0. */
        MAE,
        /** Mean squared error. */
        MSE
    }

    public PointwiseLoss {
        Objects.requireNonNull(metric, "metric");
    }

    public static PointwiseLoss of(Metric metric) {
        return new PointwiseLoss(metric);
    }

    /** The paper's L1: mean absolute error. */
    public static PointwiseLoss mae() {
        return new PointwiseLoss(Metric.MAE);
    }

    public static PointwiseLoss mse() {
        return new PointwiseLoss(Metric.MSE);
    }

    @Override
    public void check(LossInput input) {
        input.requireTeacherSpace("L1");
    }

    @Override
    public double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef) {
        return backend.pointwise(this, input.student(), input.teacher(), input.projection(), gradS, gradP, coef);
    }
}
