package io.horkd.core.loss;

import io.horkd.core.backend.cpu.MethodKernels;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;

/**
 * Probabilistic knowledge transfer (PKT; Passalis and Tefas, RepDistiller's {@code PKT.py}) on pooled
 * features: {@code x_i = f_i / |f_i|}, {@code S = (x x^T + 1) / 2}, rows normalised to sum 1,
 * {@code L = mean over i, j of P^t_ij log((P^t_ij + 1e-7) / (P^s_ij + 1e-7))}. Widths may differ; weight
 * 30000 in METHODS.md.
 */
public record Pkt() implements Term {
    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        if (backend.takesFloat64()) {
            return MapTerms.reference(in.student(), gradS, coef,
                    b -> ReferenceMethods.pkt(in.student().problemAsDouble(b), in.teacher().problemAsDouble(b)));
        }
        return MethodKernels.pkt(backend, in.student(), in.teacher(), gradS, coef);
    }
}
