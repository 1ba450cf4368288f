package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

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
public record AngleLoss(Reduction reduction) implements Term {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    public AngleLoss {
        Objects.requireNonNull(reduction, "reduction");
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

    @Override
    public double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef) {
        if (!enough(input)) return new double[input.student().batch()];
        return backend.relational(null, null, this, coef, input.student(), input.teacher(), gradS)[1];
    }

    /** Whether the problems have the m >= 3 samples L3 needs; warns once where they have not. */
    boolean enough(LossInput input) {
        int m = input.student().rows();
        if (m >= 3) return true;
        if (WARNED.compareAndSet(false, true)) {
            org.slf4j.LoggerFactory.getLogger(AngleLoss.class)
                    .warn("L3 needs m >= 3 samples per problem, got m = {}: the loss is 0", m);
        }
        return false;
    }
}
