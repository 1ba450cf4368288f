package io.horkd.core.loss;

/**
 * The constants and scalar functions of {@code LOSSES.md}, in one place so that the float64 reference,
 * the float32 CPU backend and the CUDA kernels cannot drift apart.
 */
public final class Numerics {
    private Numerics() {}

    /**
     * Clamp on squared distances: {@code D = sqrt(max(|x - y|^2, EPS))}. A squared distance under it
     * passes no gradient, so coincident points give finite losses and zero gradients, never NaN.
     */
    public static final double EPS = 1e-12;

    /** {@code sqrt(EPS)}: the distance every clamped pair takes. */
    public static final double MIN_DISTANCE = 1e-6;

    /** Huber (smooth-L1) with {@code delta = 1}: {@code x^2/2} for {@code |x| < 1}, else {@code |x| - 1/2}. */
    public static double huber(double x) {
        double a = Math.abs(x);
        return a < 1.0 ? 0.5 * x * x : a - 0.5;
    }

    /** Derivative of {@link #huber}: {@code x} clipped to {@code [-1, 1]}. */
    public static double huberDerivative(double x) {
        return Math.max(-1.0, Math.min(1.0, x));
    }

    /** A softmax temperature: finite and positive, else a named error. */
    static void requireTemperature(double temperature) {
        if (!Double.isFinite(temperature) || temperature <= 0) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
    }
}
