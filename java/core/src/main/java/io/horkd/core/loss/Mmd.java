package io.horkd.core.loss;

import io.horkd.core.backend.cpu.RakdKernels;
import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.backend.reference.ReferenceRakd;
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
        Features w = in.projection() == null ? null : in.projection().weights();
        if (!backend.takesFloat64()) return RakdKernels.mmd(backend, in.student(), w, in.teacher(), gradS, gradP, coef);
        double[][] p = w == null ? null : w.problemAsDouble(0);
        double[] values = new double[in.student().batch()];
        double[][] dp = p == null ? null : new double[p.length][p[0].length];
        for (int b = 0; b < values.length; b++) {
            ReferenceLosses.Result r = ReferenceRakd.mmd(in.student().problemAsDouble(b), p, in.teacher().problemAsDouble(b));
            values[b] = r.value();
            MapTerms.add(gradS, b, r.dStudent(), coef[b]);
            if (dp != null) {
                for (int k = 0; k < dp.length; k++) for (int q = 0; q < dp[k].length; q++) dp[k][q] += coef[b] * r.dProjection()[k][q];
            }
        }
        if (dp != null) MapTerms.add(gradP, 0, dp, 1.0); // summed over problems, then rounded once
        return values;
    }
}
