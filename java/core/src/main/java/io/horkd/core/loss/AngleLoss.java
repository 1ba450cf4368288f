package io.horkd.core.loss;

import java.util.Objects;

/**
 * L3, the triplet-angle loss (order 3).
 *
 * <pre>
 *   psi_ijk = &lt; (x_i - x_j)/|x_i - x_j| , (x_k - x_j)/|x_k - x_j| &gt;     vertex j, i, j, k distinct
 *   L3      = sum over ordered triplets of huber(psi^g_ijk - psi^f_ijk) / N
 * </pre>
 * with {@code N = m(m-1)(m-2)} ({@link Reduction#PAPER}) or {@code m^3} ({@link Reduction#RKD}).
 * A leg whose squared length is under {@link Numerics#EPS} has no direction: its unit vector counts as 0
 * (as {@code F.normalize} makes it in the RKD reference), so every angle on it is 0 and passes no
 * gradient. Everything is computed from the Gram matrix of the centred features, in O(m^2) memory.
 * With {@code m < 3} the loss is 0 with zero gradient.
 */
public final class AngleLoss implements DistillationLoss {
    private final Reduction reduction;

    private AngleLoss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
    }

    public static AngleLoss of(Reduction reduction) {
        return new AngleLoss(reduction);
    }

    /** The paper's L3: mean over ordered triplets of distinct samples. */
    public static AngleLoss paper() {
        return new AngleLoss(Reduction.PAPER);
    }

    /** RKD's angle loss as its reference code computes it: divided by {@code m^3}. */
    public static AngleLoss rkd() {
        return new AngleLoss(Reduction.RKD);
    }

    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String name() {
        return "l3";
    }

    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return HybridLoss.single(this).computeTerm(backend, input, grad, HybridLoss.Term.L3);
    }

    @Override
    public String toString() {
        return "AngleLoss[" + reduction + "]";
    }
}
