package io.horkd.core.loss;

import java.util.Objects;

/**
 * L1, the point-wise loss (order 1): {@code mean_i mean_k |f_ik - (P g_i)_k|} (MAE), or the mean squared
 * error. {@code P} is the identity when student and teacher widths agree and no projection is given,
 * otherwise the learned linear map {@code [dt, ds]} of the input (FitNet-style), whose gradient is
 * returned too.
 */
public final class PointwiseLoss implements DistillationLoss {
    /** The point-wise penalty. */
    public enum Metric {
        /** Mean absolute error; the gradient at an exact match is 0. */
        MAE,
        /** Mean squared error. */
        MSE
    }

    private final Metric metric;

    private PointwiseLoss(Metric metric) {
        this.metric = Objects.requireNonNull(metric, "metric");
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

    public Metric metric() {
        return metric;
    }

    @Override
    public String name() {
        return "l1";
    }

    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return HybridLoss.single(this).computeTerm(backend, input, grad, HybridLoss.Term.L1);
    }

    @Override
    public String toString() {
        return "PointwiseLoss[" + metric + "]";
    }
}
