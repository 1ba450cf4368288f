package io.horkd.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.ToDoubleFunction;

/** Central-difference gradient checks in float64. */
public final class FiniteDifference {
    private FiniteDifference() {}

    /**
     * Checks {@code analytic} against {@code (L(x + h e) - L(x - h e)) / 2h} entry by entry, with
     * {@code h = 1e-6 * max(1, |x|)}: truncation error O(h^2), rounding O(1e-16 L / h).
     * Passes iff every entry satisfies {@code |num - ana| <= atol + rtol * |ana|}, where atol is
     * {@code rtol} times the largest analytic entry (so tiny entries of a large gradient need not
     * carry the relative accuracy of the large ones).
     */
    public static void check(String what, double[][] x, double[][] analytic, ToDoubleFunction<double[][]> loss,
            double rtol) {
        double maxAbs = 0;
        for (double[] row : analytic) {
            for (double v : row) maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        double atol = rtol * Math.max(maxAbs, 1e-300);
        double[][] probe = TestData.copy(x);
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < x[i].length; k++) {
                double h = 1e-6 * Math.max(1.0, Math.abs(x[i][k]));
                probe[i][k] = x[i][k] + h;
                double up = loss.applyAsDouble(probe);
                probe[i][k] = x[i][k] - h;
                double down = loss.applyAsDouble(probe);
                probe[i][k] = x[i][k];
                double numeric = (up - down) / (2 * h);
                double err = Math.abs(numeric - analytic[i][k]);
                if (err > atol + rtol * Math.abs(analytic[i][k])) {
                    fail(what + ": d/dx[" + i + "][" + k + "] analytic " + analytic[i][k] + " vs numeric " + numeric
                            + " (error " + err + ", max |grad| " + maxAbs + ")");
                }
            }
        }
    }
}
