package io.horkd.core.loss;

import io.horkd.core.tensor.Shapes;

/**
 * Hinton's knowledge distillation on logits {@code [B, m, C]} with temperature {@code T}:
 * <pre>
 *   KD = T^2 / m * sum_i KL( softmax(t_i / T) || softmax(s_i / T) )
 *   dKD/ds_i = T / m * ( softmax(s_i / T) - softmax(t_i / T) )
 * </pre>
 * the {@code T^2} keeping gradient magnitudes independent of {@code T}; the same as PyTorch's
 * {@code kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') * T * T}.
 */
public final class HintonKd implements DistillationLoss {
    private final double temperature;

    private HintonKd(double temperature) {
        if (!Double.isFinite(temperature) || temperature <= 0) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    public static HintonKd withTemperature(double temperature) {
        return new HintonKd(temperature);
    }

    public double temperature() {
        return temperature;
    }

    @Override
    public String name() {
        return "kd";
    }

    /** {@code input.student()} and {@code input.teacher()} are the logits; nothing else is read. */
    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        var s = input.student();
        var t = input.teacher();
        Shapes.requireSameShape("student logits", s, "teacher logits", t);
        s.requireFinite("student logits");
        t.requireFinite("teacher logits");
        double[] coef = new double[s.batch()];
        if (grad != null) {
            Shapes.requireSameShape("student gradient", grad.student(), "student logits", s);
            double[] up = grad.upstreamOrNull();
            if (up != null && up.length != s.batch()) {
                throw new IllegalArgumentException("upstream has " + up.length + " scales for " + s.batch() + " problems");
            }
            if (!grad.isAccumulating()) grad.student().fillZero();
            for (int b = 0; b < coef.length; b++) coef[b] = grad.upstream(b);
        }
        return backend.hinton(this, s, t, grad == null ? null : grad.student(), coef);
    }

    @Override
    public String toString() {
        return "HintonKd[T=" + temperature + "]";
    }
}
