package io.horkd.core.backend.cpu;

import io.horkd.core.loss.Numerics;
import io.horkd.core.tensor.Features;

/**
 * One side (student or teacher) of one relational problem: the rows centred on their mean, and their
 * Gram matrix {@code G = X_c X_c^T} in float64, from which every distance and angle is read:
 * {@code |x_i - x_j|^2 = G_ii + G_jj - 2 G_ij}, {@code <x_i - x_j, x_k - x_j> = G_ik - G_ij - G_kj + G_jj}.
 *
 * <p>Centring (mean taken in double) shrinks |x| to the spread of the batch, and the float64 Gram (see
 * {@link Gemm}) keeps the digits of pairs much closer together than that spread.
 */
final class GramSide {
    final int m;
    final int d;
    /** {@code [m x d]}, row-major. */
    final double[] centred;
    /** {@code [m x m]}, exactly symmetric. */
    final double[] gram;

    private GramSide(int m, int d, double[] centred, double[] gram) {
        this.m = m;
        this.d = d;
        this.centred = centred;
        this.gram = gram;
    }

    static GramSide of(Features x, int b, Parallel par) {
        double[] c = centre(x, b);
        return new GramSide(x.rows(), x.cols(), c, Gemm.gram(c, x.rows(), x.cols(), par));
    }

    /** Problem {@code b} of {@code x} minus its column means, in double. */
    static double[] centre(Features x, int b) {
        int m = x.rows();
        int d = x.cols();
        float[] raw = new float[m * d];
        x.copyProblem(b, raw);
        double[] mean = new double[d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) mean[k] += raw[i * d + k];
        }
        for (int k = 0; k < d; k++) mean[k] /= m;
        double[] c = new double[m * d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) c[i * d + k] = raw[i * d + k] - mean[k];
        }
        return c;
    }

    /** {@code |x_i - x_j|^2} (exactly 0 for duplicate rows). */
    double squaredDistance(int i, int j) {
        return gram[i * m + i] + gram[j * m + j] - 2.0 * gram[i * m + j];
    }

    /** {@code D_ij = sqrt(max(|x_i - x_j|^2, EPS))}, 0 on the diagonal. */
    double[] distances() {
        double[] out = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) out[i * m + j] = Math.sqrt(Math.max(squaredDistance(i, j), Numerics.EPS));
            }
        }
        return out;
    }

    /** {@code 1 / |x_i - x_j|} in float, or 0 on the diagonal and for legs shorter than {@code sqrt(EPS)}. */
    float[] inverseDistances() {
        float[] out = new float[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double sq = squaredDistance(i, j);
                if (i != j && sq >= Numerics.EPS) out[i * m + j] = (float) (1.0 / Math.sqrt(sq));
            }
        }
        return out;
    }
}
