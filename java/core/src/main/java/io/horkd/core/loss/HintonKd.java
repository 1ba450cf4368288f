package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Shapes;

/**
 * Hinton's knowledge distillation on logits {@code [B, m, C]} with temperature {@code T}:
 * <pre>
 *   KD = T^2 / m * sum_i KL( softmax(t_i / T) || softmax(s_i / T) )
 *   dKD/ds_i = T / m * ( softmax(s_i / T) - softmax(t_i / T) )
 * </pre>
 * the {@code T^2} keeping gradient magnitudes independent of {@code T}; the same as PyTorch's
 * {@code kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') * T * T}. The input's student and
 * teacher are the logits.
 */
public record HintonKd(double temperature) implements Term {
    public HintonKd {
        Numerics.requireTemperature(temperature);
    }

    public static HintonKd withTemperature(double temperature) {
        return new HintonKd(temperature);
    }

    @Override
    public Reads reads() {
        return Reads.LOGITS;
    }

    @Override
    public void check(LossInput input) {
        Shapes.requireSameShape("student logits", input.student(), "teacher logits", input.teacher());
    }

    @Override
    public double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef) {
        return backend.hinton(this, input.student(), input.teacher(), gradS, coef);
    }
}
