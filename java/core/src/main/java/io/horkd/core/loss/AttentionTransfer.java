package io.horkd.core.loss;

import io.horkd.core.backend.cpu.MethodKernels;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;

/**
 * Attention transfer (AT; Zagoruyko and Komodakis, as RepDistiller's {@code AT.py} computes it, p = 2), at
 * one stage: {@code a(F)_i = vec(mean_c F_ic^2) / |vec(mean_c F_ic^2)|_2},
 * {@code L = mean over i and positions of (a(F^s)_i - a(pool(F^t))_i)^2}, the teacher's map area-pooled to
 * the student's size. A zero map stays zero. {@code stage}: which stage outputs it reads (0: every stage
 * but the pooled vector, METHODS.md's default; k: the k-th), chosen by whoever feeds the maps; its weight
 * in METHODS.md is 1000.
 */
public record AttentionTransfer(int stage) implements Term.OnStages {
    public AttentionTransfer {
        if (stage < 0) throw new IllegalArgumentException("stage must be >= 0 (0: every stage), got " + stage);
    }

    @Override
    public int[] stages(int count) {
        return chosenOrEvery(count);
    }

    @Override
    public void check(LossInput input) {
        MapTerms.requireMaps("at", input);
        MapTerms.requireTeacherNotSmaller("at", input);
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        if (backend.takesFloat64()) {
            return MapTerms.reference(in.student(), gradS, coef, b -> ReferenceMethods.attention(
                    MapTerms.maps(in.student(), in.studentMap(), b), MapTerms.maps(in.teacher(), in.teacherMap(), b)));
        }
        return MethodKernels.attention(backend, in.student(), in.studentMap(), in.teacher(), in.teacherMap(), gradS, coef);
    }
}
