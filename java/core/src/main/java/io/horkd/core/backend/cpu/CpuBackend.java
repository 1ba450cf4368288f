package io.horkd.core.backend.cpu;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.HintonKd;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;

/**
 * The fast CPU backend: float32 in and out, float64 inside; centred Gram matrices, O(m^2) memory
 * (never an {@code m x m x d} or {@code m x m x m} array), loops shaped for the JIT's auto-vectoriser
 * (see {@link Gemm} and {@link AngleKernel}), work split statically over a private pool of threads.
 * Agrees with the float64 reference to about 1e-12 in values and to the float32 rounding of the
 * returned gradients.
 *
 * <p>Results are bit-identical run to run for a given thread count. Thread-safe: concurrent calls share
 * the pool. Close it to stop its threads (they are daemons, so forgetting does not keep a JVM alive).
 */
public final class CpuBackend implements LossBackend, AutoCloseable {
    private final Parallel par;

    /** One thread per available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this.par = new Parallel(threads);
    }

    public int threads() {
        return par.threads();
    }

    Parallel par() {
        return par;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public double[] pointwise(PointwiseLoss loss, Features s, Features t, Projection p, Features gradS, Features gradP,
            double[] coef) {
        return PointwiseKernel.run(loss, s, t, p, gradS, gradP, coef, par);
    }

    @Override
    public double[][] relational(DistanceLoss l2, double[] coefL2, AngleLoss l3, double[] coefL3, Features s,
            Features t, Features gradS) {
        return RelationalKernel.run(l2, coefL2, l3, coefL3, s, t, gradS, par);
    }

    @Override
    public double[] center(CenterLoss loss, Features s, Features t, Labels labels, ClassCenters centers, Projection p,
            Features gradS, Features gradP, double[] coef) {
        return CenterKernel.run(s, t, labels, centers, p, gradS, gradP, coef, par);
    }

    @Override
    public double[] hinton(HintonKd loss, Features s, Features t, Features gradS, double[] coef) {
        return HintonKernel.run(loss.temperature(), s, t, gradS, coef);
    }

    @Override
    public double[] crossEntropy(Features s, Labels labels, Features gradS, double[] coef) {
        return HintonKernel.crossEntropy(s, labels, gradS, coef);
    }

    @Override
    public double[] mmd(Features s, Features t, Projection p, Features gradS, Features gradP, double[] coef) {
        return RakdKernels.mmd(this, s, p == null ? null : p.weights(), t, gradS, gradP, coef);
    }

    @Override
    public double[] pairwiseConstraint(Features s, Features t, Features gradS, double[] coef) {
        return RakdKernels.pairwise(this, s, t, gradS, coef);
    }

    @Override
    public void close() {
        par.close();
    }

    @Override
    public String toString() {
        return "CpuBackend[threads=" + threads() + "]";
    }
}
