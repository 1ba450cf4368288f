package io.horkd.core.loss;

import io.horkd.core.tensor.Features;

/**
 * Resolution-aware distillation's adversarial term (seed 002; METHODS.md): the non-saturating generator
 * loss {@code BCE(D(P g_i), 1)}, mean over i, against a discriminator {@code D} trained alongside the
 * student to tell the teacher's HR features from the student's. Its value depends on {@code D}'s weights
 * at the step, so only a stage trainer, which owns the discriminator, computes it (in the student's graph,
 * {@code D}'s weights as inputs); on its own inputs it is a named error. Weight 0.1 in METHODS.md.
 */
public record Adversarial() implements Term {
    @Override
    public void check(LossInput input) {
        throw new IllegalArgumentException("adv is trained against a stage's discriminator (the stage trainer builds it, "
                + "with D's weights as inputs); it has no value on its own inputs");
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        throw new IllegalStateException("adv has no backend computation (see check)");
    }
}
