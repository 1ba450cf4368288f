package io.horkd.core.loss;

import io.horkd.core.backend.cpu.MethodKernels;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;

/**
 * DCT-driven attention distillation (seed 003; López-Cifuentes et al., the official {@code DFTOurs.py}),
 * at one stage: per sample the attention map {@code mean_c F_c^2}, min-max normalised, its mean
 * subtracted, transformed ({@code dct}: the orthonormal 2-D DCT-II; {@code dft-real}: the real part of the
 * 2-D DFT, what the official code computes), the teacher's at its own size cut to the student's
 * low-frequency {@code Hs x Ws} block, both min-max normalised again;
 * {@code L = (1/m) sum_i w_i |C^s_i - C^t_i|_2}. With {@code gate} (PRED_GUIDE), {@code w_i} is 1 where the
 * teacher's top-1 class is the label and 0 elsewhere (the input must carry the teacher's logits and the
 * labels), else 1. {@code stage}: 0 for every stage but the pooled vector, k for the k-th; weight 1.
 */
public record DctAttention(ReferenceMethods.Transform transform, boolean gate, int stage) implements Term.OnStages {
    public DctAttention {
        java.util.Objects.requireNonNull(transform, "transform");
        if (stage < 0) throw new IllegalArgumentException("stage must be >= 0 (0: every stage), got " + stage);
    }

    @Override
    public int[] stages(int count) {
        return chosenOrEvery(count);
    }

    @Override
    public void check(LossInput input) {
        MapTerms.requireMaps("dct", input);
        MapTerms.requireTeacherNotSmaller("dct", input);
        if (gate && (input.teacherLogits() == null || input.labels() == null)) {
            throw new IllegalArgumentException("dct with gate=true weighs the samples the teacher classifies right: it needs "
                    + "the teacher's logits and the labels (or gate=false)");
        }
    }

    /** {@code w[b][i]}, or null without the gate. */
    private double[][] weights(LossInput in) {
        if (!gate) return null;
        int batch = in.student().batch();
        double[][] w = new double[batch][];
        for (int b = 0; b < batch; b++) {
            w[b] = ReferenceMethods.teacherCorrect(in.teacherLogits().problemAsDouble(b), in.labels().problem(b));
        }
        return w;
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        double[][] w = weights(in);
        if (backend.takesFloat64()) {
            return MapTerms.reference(in.student(), gradS, coef, b -> ReferenceMethods.dctAttention(
                    MapTerms.maps(in.student(), in.studentMap(), b), MapTerms.maps(in.teacher(), in.teacherMap(), b), transform,
                    w == null ? null : w[b]));
        }
        return MethodKernels.dctAttention(backend, in.student(), in.studentMap(), in.teacher(), in.teacherMap(), transform, w,
                gradS, coef);
    }
}
