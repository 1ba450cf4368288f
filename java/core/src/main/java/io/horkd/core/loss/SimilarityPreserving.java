package io.horkd.core.loss;

import io.horkd.core.backend.cpu.MethodKernels;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;

/**
 * Similarity preserving (SP; Tung and Mori, RepDistiller's {@code SP.py}) at one stage: {@code G = F F^T}
 * over the maps flattened per sample ({@code m x m}), rows L2-normalised, {@code L = |G^t - G^s|_F^2 / m^2}.
 * The two sides' maps may differ in every dimension. {@code stage}: 0 for the last stage (METHODS.md's
 * default), k for the k-th; weight 3000 there.
 */
public record SimilarityPreserving(int stage) implements Term.OnStages {
    public SimilarityPreserving {
        if (stage < 0) throw new IllegalArgumentException("stage must be >= 0 (0: the last stage), got " + stage);
    }

    @Override
    public int[] stages(int count) {
        return stage() != 0 ? chosen(count) : new int[] {count};
    }

    @Override
    public void check(LossInput input) {
        MapTerms.requireMaps("sp", input);
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        if (backend.takesFloat64()) {
            return MapTerms.reference(in.student(), gradS, coef, b -> ReferenceMethods.similarity(
                    MapTerms.maps(in.student(), in.studentMap(), b), MapTerms.maps(in.teacher(), in.teacherMap(), b)));
        }
        return MethodKernels.similarity(backend, in.student(), in.teacher(), gradS, coef);
    }
}
