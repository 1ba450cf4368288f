package io.horkd.core.loss;

import io.horkd.core.backend.cpu.MethodKernels;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Shapes;

/**
 * Decoupled KD (DKD; Zhao et al., as mdistiller's {@code DKD.py} computes it) on logits and labels:
 * {@code L = alpha TCKD + beta NCKD}, each {@code T^2} times a KL divergence averaged over the mini-batch
 * ({@link ReferenceMethods#dkd}). {@code warmup}: the epochs over which a trainer ramps the term's weight
 * from 0, {@code min(epoch / warmup, 1)} (0: no ramp); the value here is the unramped one.
 */
public record Dkd(double alpha, double beta, double temperature, int warmup) implements Term {
    public Dkd {
        if (!(alpha >= 0) || !(beta >= 0) || Double.isInfinite(alpha) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("alpha and beta must be finite and >= 0, got " + alpha + " and " + beta);
        }
        Numerics.requireTemperature(temperature);
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0 epochs, got " + warmup);
        alpha += 0.0; // -0.0 becomes 0.0, which the text codec writes and reads back
        beta += 0.0;
    }

    /** mdistiller's CIFAR defaults: alpha 1, beta 8, T = 4, a 20-epoch ramp. */
    public static Dkd defaults() {
        return new Dkd(1, 8, 4, 20);
    }

    /** The ramp factor at 0-based {@code epoch}: {@code min((epoch + 1) / warmup, 1)}, mdistiller's {@code min(epoch / warmup, 1)} with its 1-based epochs. */
    public double ramp(int epoch) {
        return warmup == 0 ? 1 : Math.min((epoch + 1) / (double) warmup, 1);
    }

    @Override
    public Reads reads() {
        return Reads.LOGITS;
    }

    @Override
    public void check(LossInput input) {
        Shapes.requireSameShape("student logits", input.student(), "teacher logits", input.teacher());
        if (input.labels() == null) {
            throw new IllegalArgumentException("dkd needs labels [" + input.student().batch() + ", " + input.student().rows() + "]");
        }
        input.labels().requireRange("labels", input.student().cols());
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        if (backend.takesFloat64()) {
            return MapTerms.reference(in.student(), gradS, coef, b -> ReferenceMethods.dkd(in.student().problemAsDouble(b),
                    in.teacher().problemAsDouble(b), in.labels().problem(b), alpha, beta, temperature));
        }
        return MethodKernels.dkd(backend, in.student(), in.teacher(), in.labels(), alpha, beta, temperature, gradS, coef);
    }
}
