package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import java.util.Objects;

/**
 * The learned linear map {@code P: R^ds -> R^dt} that L1 and LC apply to the student features when
 * they must be compared with teacher-space quantities; weights {@code [dt, ds]}, row-major, so that
 * {@code (P g)_k = sum_q P[k][q] g_q}. It trains with the student: losses return {@code dL/dP}.
 */
public final class Projection {
    private final Features weights;

    private Projection(Features weights) {
        this.weights = weights;
    }

    /** {@code P} over a heap array of exactly {@code outDim * inDim} values. */
    public static Projection of(float[] weights, int outDim, int inDim) {
        return new Projection(Features.of(weights, 1, outDim, inDim));
    }

    /** {@code P} over a {@code [1, dt, ds]} view (e.g. an INDArray's buffer). */
    public static Projection wrap(Features weights) {
        Objects.requireNonNull(weights, "projection");
        if (weights.batch() != 1) {
            throw new IllegalArgumentException("projection must be one [dt, ds] matrix, got " + weights.shape());
        }
        return new Projection(weights);
    }

    /** Teacher width {@code dt}. */
    public int outDim() {
        return weights.rows();
    }

    /** Student width {@code ds}. */
    public int inDim() {
        return weights.cols();
    }

    public Features weights() {
        return weights;
    }

    @Override
    public String toString() {
        return "Projection[" + outDim() + ", " + inDim() + "]";
    }
}
