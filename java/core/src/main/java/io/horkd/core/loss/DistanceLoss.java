package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * student and teacher may differ in width. With {@code m < 2} the loss is 0 with zero gradient. Runs in
 * one backend call with {@link AngleLoss} when both are in an objective.
 */
public record DistanceLoss(Function function, Reduction reduction) implements Term.Fusing {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** The penalty {@code l} on the difference of normalised distances. */
    public enum Function {
        /** {@code x^2}: the paper's "square difference". */
        SQUARE,
        /** Huber / smooth-L1 with {@code delta = 1}: the RKD reference's choice. */
        HUBER
    }

    public DistanceLoss {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(reduction, "reduction");
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

    /** {@code l(x)}. */
    public double penalty(double x) {
        return function == Function.SQUARE ? x * x : Numerics.huber(x);
    }

    /** {@code l'(x)}. */
    public double penaltyDerivative(double x) {
        return function == Function.SQUARE ? 2 * x : Numerics.huberDerivative(x);
    }

    @Override
    public double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef) {
        if (!enough(input)) return new double[input.student().batch()];
        return backend.relational(this, coef, null, null, input.student(), input.teacher(), gradS)[0];
    }

    @Override
    public boolean fusesWith(Term other) {
        return other instanceof AngleLoss;
    }

    @Override
    public double[][] runWith(Term other, LossBackend backend, LossInput input, Features gradS, double[] coef,
            double[] otherCoef) {
        AngleLoss angle = (AngleLoss) other;
        boolean l2 = enough(input);
        boolean l3 = angle.enough(input);
        int batch = input.student().batch();
        if (!l2 && !l3) return new double[][] {new double[batch], new double[batch]};
        double[][] v = backend.relational(l2 ? this : null, l2 ? coef : null, l3 ? angle : null, l3 ? otherCoef : null,
                input.student(), input.teacher(), gradS);
        return new double[][] {l2 ? v[0] : new double[batch], l3 ? v[1] : new double[batch]};
    }

    /** Whether the problems have the m >= 2 samples L2 needs; warns once where they have not. */
    private static boolean enough(LossInput input) {
        int m = input.student().rows();
        if (m >= 2) return true;
        if (WARNED.compareAndSet(false, true)) {
            org.slf4j.LoggerFactory.getLogger(DistanceLoss.class)
                    .warn("L2 needs m >= 2 samples per problem, got m = {}: the loss is 0", m);
        }
        return false;
    }
}
