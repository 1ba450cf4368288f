package io.horkd.core.loss;

/**
 * What the relational sums are divided by ({@code LOSSES.md}).
 *
 * <ul>
 *   <li>{@link #PAPER}: the mean over the tuples of distinct samples: {@code m(m-1)} ordered pairs for L2,
 *       {@code m(m-1)(m-2)} ordered triplets for L3.</li>
 *   <li>{@link #RKD}: the PyTorch reference code of Park et al. averages over every entry of its
 *       {@code m x m} and {@code m x m x m} tensors, whose degenerate entries differ by zero: the same
 *       sums divided by {@code m^2} and {@code m^3}. For side-by-side checks with that code.</li>
 * </ul>
 */
public enum Reduction {
    PAPER,
    RKD;

    /** Divisor of the L2 sum over ordered pairs of distinct samples. */
    public double pairDivisor(int m) {
        return this == PAPER ? (double) m * (m - 1) : (double) m * m;
    }

    /** Divisor of the L3 sum over ordered triplets of distinct samples. */
    public double tripletDivisor(int m) {
        return this == PAPER ? (double) m * (m - 1) * (m - 2) : (double) m * m * m;
    }
}
