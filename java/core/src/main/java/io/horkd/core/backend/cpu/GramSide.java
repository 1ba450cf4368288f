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
    /** {@code [m][d]}. */
    final double[][] centred;
    /** {@code [m][m]}, exactly symmetric. */
    final double[][] gram;
    /** Its diagonal, {@code |c_i|^2}: read for every pair, from one array rather than m rows. */
    final double[] diag;
    private final Parallel par;

    private GramSide(double[][] centred, double[][] gram, Parallel par) {
        this.m = centred.length;
        this.centred = centred;
        this.gram = gram;
        this.par = par;
        this.diag = new double[m];
        for (int i = 0; i < m; i++) diag[i] = gram[i][i];
    }

    static GramSide of(Features x, int b, Parallel par) {
        double[][] c = centre(Gemm.rows(x, b));
        return new GramSide(c, Gemm.gram(c, par), par);
    }

    /** The rows minus their column means, in place. */
    static double[][] centre(double[][] x) {
        int d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) mean[k] += row[k];
        }
        for (int k = 0; k < d; k++) mean[k] /= x.length;
        for (double[] row : x) {
            for (int k = 0; k < d; k++) row[k] -= mean[k];
        }
        return x;
    }

    /** {@code |x_i - x_j|^2} (exactly 0 for duplicate rows). */
    double squaredDistance(int i, int j) {
        return diag[i] + diag[j] - 2.0 * gram[i][j];
    }

    /** {@code D_ij = sqrt(max(|x_i - x_j|^2, EPS))}, 0 on the diagonal; rows in parallel, each a loop C2 vectorises. */
    double[][] distances() {
        double[][] out = new double[m][m];
        par.run(Parallel.even(m, par.partsFor(m, (long) m * m)), (part, lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double[] gi = gram[i];
                double[] oi = out[i];
                double di = diag[i];
                for (int j = 0; j < m; j++) oi[j] = Math.sqrt(Math.max(di + diag[j] - 2.0 * gi[j], Numerics.EPS));
                oi[i] = 0;
            }
        });
        return out;
    }

    /** {@code 1 / |x_i - x_j|}, or 0 on the diagonal and for legs shorter than {@code sqrt(EPS)}. */
    double[][] inverseDistances() {
        double[][] out = new double[m][m];
        par.run(Parallel.even(m, par.partsFor(m, (long) m * m)), (part, lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double[] gi = gram[i];
                double[] oi = out[i];
                double di = diag[i];
                for (int j = 0; j < m; j++) {
                    double sq = di + diag[j] - 2.0 * gi[j];
                    oi[j] = sq >= Numerics.EPS ? 1.0 / Math.sqrt(sq) : 0.0;
                }
                oi[i] = 0;
            }
        });
        return out;
    }
}
