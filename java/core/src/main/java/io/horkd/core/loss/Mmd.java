package io.horkd.core.loss;

import io.horkd.core.tensor.Features;

/**
 * Resolution-aware distillation's maximum mean discrepancy (seed 002; METHODS.md) on pooled features: the
 * biased MMD^2 between the student's features in the teacher's space, {@code P g_i} (the input's
 * projection; the identity where the widths agree), and the teacher's {@code f_i}, with a sum of five
 * Gaussian kernels whose bandwidths are multiples of the pooled points' mean squared distance (held
 * constant). Returns the projection's gradient too. Weight 1 in METHODS.md.
 */
public record Mmd() implements Term {
    @Override
    public void check(LossInput input) {
        input.requireTeacherSpace("MMD");
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        return backend.mmd(in.student(), in.teacher(), in.projection(), gradS, gradP, coef);
    }
}
