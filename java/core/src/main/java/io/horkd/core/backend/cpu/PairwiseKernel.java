package io.horkd.core.backend.cpu;

import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.Numerics;

/**
 * L2, the normalised pairwise-distance loss, on one problem.
 *
 * <pre>
 *   forward:  mu = sum_{i!=j} D_ij / (m(m-1)),  e_ij = D^g_ij/mu_g - D^f_ij/mu_f,  L = sum l(e_ij) / N
 *   backward: a_ij = l'(e_ij)/N,  c = sum a_ij psi^g_ij / (m(m-1))           (c: mu's share)
 *             s_ij = (a_ij - c) / (2 mu_g D^g_ij)  where |g_i - g_j|^2 >= EPS, else 0   (= dL/dsq_ij)
 *             dL/dG: K_ij = -4 s_ij (i != j),  K_ii = 4 sum_j s_ij,   dL/dg = K g_c
 * </pre>
 * K is the symmetrised Gram gradient {@code dL/dG + dL/dG^T}; it is added (times the coefficient) to
 * the one the angle loss fills, so one product gives both gradients. Sums are taken per row in double
 * and combined in row order: results do not depend on the thread count.
 */
final class PairwiseKernel {
    private PairwiseKernel() {}

    /** The value; adds {@code coef * K} to {@code k} when it is not null. */
    static double run(DistanceLoss loss, GramSide gs, GramSide gt, double[][] k, double coef, Parallel par) {
        int m = gs.m;
        double pairs = (double) m * (m - 1);
        double n = loss.reduction().pairDivisor(m);
        double[][] dS = gs.distances();
        double[][] dT = gt.distances();
        double muS = sum(dS, par) / pairs; // the diagonal holds 0
        double muT = sum(dT, par) / pairs;

        // e, l(e) and a = l'(e)/N per pair; a replaces the teacher distance in dT (no longer needed).
        double[][] a = dT;
        double[] rowValue = new double[m];
        double[] rowWeighted = new double[m];
        int[] bounds = Parallel.even(m, par.partsFor(m, (long) m * m));
        par.run(bounds, (part, lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double value = 0;
                double weighted = 0;
                for (int j = 0; j < m; j++) {
                    if (i == j) continue;
                    double psiS = dS[i][j] / muS;
                    double e = psiS - dT[i][j] / muT;
                    value += loss.penalty(e);
                    double ai = loss.penaltyDerivative(e) / n;
                    weighted += ai * psiS;
                    a[i][j] = ai;
                }
                rowValue[i] = value;
                rowWeighted[i] = weighted;
            }
        });
        double value = 0;
        double weighted = 0;
        for (int i = 0; i < m; i++) {
            value += rowValue[i];
            weighted += rowWeighted[i];
        }
        if (k == null) return value / n;

        double c = weighted / pairs;
        par.run(bounds, (part, lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double rowSum = 0;
                double[] ai = a[i];
                double[] di = dS[i];
                double[] ki = k[i];
                for (int j = 0; j < m; j++) {
                    if (i == j || gs.squaredDistance(i, j) < Numerics.EPS) continue;
                    double s = (ai[j] - c) / (2 * muS * di[j]);
                    ki[j] -= 4 * coef * s;
                    rowSum += s;
                }
                ki[i] += 4 * coef * rowSum;
            }
        });
        return value / n;
    }

    /** Row sums in parallel, added in row order: the same bits for any thread count. */
    private static double sum(double[][] d, Parallel par) {
        double[] rows = new double[d.length];
        par.run(Parallel.even(d.length, par.partsFor(d.length, (long) d.length * d.length)), (part, lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double r = 0;
                for (double v : d[i]) r += v;
                rows[i] = r;
            }
        });
        double total = 0;
        for (double r : rows) total += r;
        return total;
    }
}
