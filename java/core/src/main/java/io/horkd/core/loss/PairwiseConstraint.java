package io.horkd.core.loss;

import io.horkd.core.tensor.Features;

/**
 * Resolution-aware distillation's pair-wise constraint (seed 002; METHODS.md) on pooled features:
 * {@code L = mean over i != j of (cos(g_i, g_j) - cos(f_i, f_j))^2}, the student's cosine-similarity matrix
 * against the teacher's (widths may differ; 0 for m < 2). Weight 1 in METHODS.md.
 */
public record PairwiseConstraint() implements Term {
    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        return backend.pairwiseConstraint(in.student(), in.teacher(), gradS, coef);
    }
}
