package io.horkd.core.loss;

import java.util.Objects;

/**
 * L2, the pairwise-distance loss (order 2).
 *
 * <pre>
 *   D_ij   = sqrt(max(|x_i - x_j|^2, EPS))  for i != j          (teacher f, student g alike)
 *   mu     = mean over i != j of D_ij                             (differentiated: part of the backward)
 *   psi_ij = D_ij / mu
 *   L2     = sum over i != j of l(psi^g_ij - psi^f_ij) / N,  l = x^2 (paper) or Huber (RKD)
 * </pre>
 * with {@code N = m(m-1)} ({@link Reduction#PAPER}) or {@code m^2} ({@link Reduction#RKD}). Features of
 * student and teacher may differ in width. With {@code m < 2} the loss is 0 with zero gradient.
 */
public final class DistanceLoss implements DistillationLoss {
    /** The penalty {@code l} on the difference of normalised distances. */
    public enum Function {
        /** {@code x^2}: the paper's "square difference". */
        SQUARE,
        /** Huber / smooth-L1 with {@code delta = 1}: the RKD reference's choice. */
        HUBER
    }

    private final Function function;
    private final Reduction reduction;

    private DistanceLoss(Function function, Reduction reduction) {
        this.function = Objects.requireNonNull(function, "function");
        this.reduction = Objects.requireNonNull(reduction, "reduction");
    }

    public static DistanceLoss of(Function function, Reduction reduction) {
        return new DistanceLoss(function, reduction);
    }

    /** The paper's L2: square difference, mean over ordered pairs. */
    public static DistanceLoss paper() {
        return new DistanceLoss(Function.SQUARE, Reduction.PAPER);
    }

    /** RKD's distance loss as its reference code computes it: Huber, divided by {@code m^2}. */
    public static DistanceLoss rkd() {
        return new DistanceLoss(Function.HUBER, Reduction.RKD);
    }

    public Function function() {
        return function;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** {@code l(x)}. */
    public double penalty(double x) {
        return function == Function.SQUARE ? x * x : Numerics.huber(x);
    }

    /** {@code l'(x)}. */
    public double penaltyDerivative(double x) {
        return function == Function.SQUARE ? 2 * x : Numerics.huberDerivative(x);
    }

    @Override
    public String name() {
        return "l2";
    }

    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return HybridLoss.single(this).computeTerm(backend, input, grad, HybridLoss.Term.L2);
    }

    @Override
    public String toString() {
        return "DistanceLoss[" + function + ", " + reduction + "]";
    }
}
