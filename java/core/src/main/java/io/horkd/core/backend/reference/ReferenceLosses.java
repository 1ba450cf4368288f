package io.horkd.core.backend.reference;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.Numerics;
import io.horkd.core.loss.PointwiseLoss;

/**
 * The losses of {@code LOSSES.md} in float64, one problem at a time, written for clarity rather than
 * speed: the definition every other backend is tested against, and itself tested by finite differences.
 *
 * <p>It is kept apart from the fast path on purpose: distances come from explicit differences
 * {@code x_i - x_j}, and each backward pass is the chain rule applied term by term, per pair or per
 * triplet. Only the angle's numerator uses the Gram identity
 * {@code <x_i - x_j, x_k - x_j> = G_ik - G_ij - G_kj + G_jj} (of centred features, exact to float64
 * rounding), because the explicit form costs O(m^3 d).
 *
 * <p>Arrays are {@code [m][d]}; inputs are not modified.
 */
public final class ReferenceLosses {
    private ReferenceLosses() {}

    /**
     * A value with its gradients.
     *
     * @param dStudent dL/dg, {@code [m][ds]}
     * @param dProjection dL/dP, {@code [dt][ds]}, or null where no projection was used
     */
    public record Result(double value, double[][] dStudent, double[][] dProjection) {}

    // ---------------------------------------------------------------------------------------------
    // L1

    /**
     * L1 = mean_i mean_k pen(x_ik - f_ik), x = P g (or g when {@code p} is null), pen = |.| or (.)^2.
     * dL/dx_ik = pen'(x_ik - f_ik) / (m dt); dL/dg = dL/dx P; dL/dP = dL/dx^T g.
     */
    public static Result pointwise(double[][] g, double[][] f, double[][] p, PointwiseLoss.Metric metric) {
        int m = g.length;
        double[][] x = p == null ? g : project(g, p);
        int dt = f[0].length;
        double n = (double) m * dt;
        double value = 0;
        double[][] dx = new double[m][dt];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < dt; k++) {
                double diff = x[i][k] - f[i][k];
                if (metric == PointwiseLoss.Metric.MAE) {
                    value += Math.abs(diff);
                    dx[i][k] = Math.signum(diff) / n;
                } else {
                    value += diff * diff;
                    dx[i][k] = 2 * diff / n;
                }
            }
        }
        return withProjection(value / n, dx, g, p);
    }

    // ---------------------------------------------------------------------------------------------
    // L2

    /**
     * L2 as defined in {@link DistanceLoss}. Backward, with {@code a_ij = l'(e_ij)/N}:
     * <pre>
     *   dL/dD_ij  = (a_ij - c) / mu,   c = sum_kl a_kl psi_kl / (m(m-1))      (the second part is mu's)
     *   dL/dsq_ij = dL/dD_ij / (2 D_ij)   where sq_ij >= EPS, else 0
     *   dL/dg_i   = sum_j 2 (dL/dsq_ij + dL/dsq_ji) (g_i - g_j)
     * </pre>
     */
    public static Result distance(double[][] g, double[][] f, DistanceLoss loss) {
        int m = g.length;
        int ds = g[0].length;
        double pairs = (double) m * (m - 1);
        double n = loss.reduction().pairDivisor(m);
        double[][] dg = new double[m][ds];
        if (m < 2) return new Result(0, dg, null);
        double[][] sqG = squaredDistances(g);
        double[][] sqF = squaredDistances(f);
        double[][] distG = clampedSqrt(sqG);
        double[][] distF = clampedSqrt(sqF);
        double muG = offDiagonalSum(distG) / pairs;
        double muF = offDiagonalSum(distF) / pairs;

        double value = 0;
        double[][] a = new double[m][m];
        double weighted = 0; // sum a_ij psi^g_ij
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i == j) continue;
                double e = distG[i][j] / muG - distF[i][j] / muF;
                value += loss.penalty(e);
                a[i][j] = loss.penaltyDerivative(e) / n;
                weighted += a[i][j] * distG[i][j] / muG;
            }
        }
        double c = weighted / pairs;
        double[][] dsq = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j && sqG[i][j] >= Numerics.EPS) dsq[i][j] = (a[i][j] - c) / muG / (2 * distG[i][j]);
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i == j) continue;
                double w = 2 * (dsq[i][j] + dsq[j][i]);
                for (int q = 0; q < ds; q++) dg[i][q] += w * (g[i][q] - g[j][q]);
            }
        }
        return new Result(value / n, dg, null);
    }

    // ---------------------------------------------------------------------------------------------
    // L3

    /**
     * L3 as defined in {@link AngleLoss}. With {@code cos_ijk = A_ijk r_ij r_kj},
     * {@code A_ijk = <g_i - g_j, g_k - g_j> = G_ik - G_ij - G_kj + G_jj} and {@code r = 1/D} (0 for a
     * degenerate leg), each ordered triplet with {@code a = huber'(e)/N} contributes
     * <pre>
     *   dL/dA_ijk = a r_ij r_kj                      -> dL/dG_ik, dL/dG_ij, dL/dG_kj, dL/dG_jj
     *   dL/dsq_ij = a A_ijk r_kj * (-r_ij^3 / 2)    (and the same with i and k swapped)
     * </pre>
     * and {@code dL/dg = (dL/dG + dL/dG^T) g_c + sum over pairs of 2 dL/dsq_ij (g_i - g_j)}.
     */
    public static Result angle(double[][] g, double[][] f, AngleLoss loss) {
        int m = g.length;
        int ds = g[0].length;
        double[][] dg = new double[m][ds];
        if (m < 3) return new Result(0, dg, null);
        double n = loss.reduction().tripletDivisor(m);
        double[][] gc = centred(g);
        double[][] gramG = gram(gc);
        double[][] gramF = gram(centred(f));
        double[][] rG = inverseDistances(squaredDistances(g));
        double[][] rF = inverseDistances(squaredDistances(f));

        double value = 0;
        double[][] dGram = new double[m][m];
        double[][] dsq = new double[m][m];
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < m; i++) {
                if (i == j) continue;
                for (int k = 0; k < m; k++) {
                    if (k == j || k == i) continue;
                    double numG = gramG[i][k] - gramG[i][j] - gramG[k][j] + gramG[j][j];
                    double numF = gramF[i][k] - gramF[i][j] - gramF[k][j] + gramF[j][j];
                    double cosG = numG * rG[i][j] * rG[k][j];
                    double cosF = numF * rF[i][j] * rF[k][j];
                    double e = cosG - cosF;
                    value += Numerics.huber(e);
                    double a = Numerics.huberDerivative(e) / n;
                    double dA = a * rG[i][j] * rG[k][j];
                    dGram[i][k] += dA;
                    dGram[i][j] -= dA;
                    dGram[k][j] -= dA;
                    dGram[j][j] += dA;
                    double rij = rG[i][j];
                    double rkj = rG[k][j];
                    dsq[i][j] += a * numG * rkj * (-0.5 * rij * rij * rij);
                    dsq[k][j] += a * numG * rij * (-0.5 * rkj * rkj * rkj);
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double w = dGram[i][j] + dGram[j][i];
                for (int q = 0; q < ds; q++) dg[i][q] += w * gc[j][q];
                if (i != j && dsq[i][j] != 0) {
                    for (int q = 0; q < ds; q++) {
                        double t = 2 * dsq[i][j] * (g[i][q] - g[j][q]);
                        dg[i][q] += t;
                        dg[j][q] -= t;
                    }
                }
            }
        }
        return new Result(value / n, dg, null);
    }

    // ---------------------------------------------------------------------------------------------
    // LC

    /**
     * LC = mean over i and the centres c of (|x_i - u_c| - |f_i - u_c|)^2, x = P g (or g), distances
     * clamped as in L2. {@code centers} null: batch scope, the centres are the means of {@code f} per
     * label over the classes present. Backward:
     * {@code dL/dx_i = sum_c 2 (ds_ic - dt_ic) / (m C') (x_i - u_c) / ds_ic} where the student's squared
     * distance is at least EPS.
     */
    public static Result center(double[][] g, double[][] f, double[][] p, double[][] centers, int[] labels) {
        int m = g.length;
        double[][] u = centers != null ? centers : ClassCenters.meansOfPresentClasses(f, labels);
        int classes = u.length;
        double[][] x = p == null ? g : project(g, p);
        int dt = f[0].length;
        double n = (double) m * classes;
        double value = 0;
        double[][] dx = new double[m][dt];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < classes; c++) {
                double sqS = squaredDistance(x[i], u[c]);
                double sqT = squaredDistance(f[i], u[c]);
                double dS = Math.sqrt(Math.max(sqS, Numerics.EPS));
                double dT = Math.sqrt(Math.max(sqT, Numerics.EPS));
                double diff = dS - dT;
                value += diff * diff;
                if (sqS >= Numerics.EPS) {
                    double w = 2 * diff / n / dS;
                    for (int k = 0; k < dt; k++) dx[i][k] += w * (x[i][k] - u[c][k]);
                }
            }
        }
        return withProjection(value / n, dx, g, p);
    }

    // ---------------------------------------------------------------------------------------------
    // Hinton KD

    /**
     * KD = T^2/m sum_i KL(softmax(t_i/T) || softmax(s_i/T)); dKD/ds_i = T/m (softmax(s_i/T) - softmax(t_i/T)).
     * Terms with a teacher probability of exactly 0 contribute 0 (x log x -> 0).
     */
    public static Result hinton(double[][] s, double[][] t, double temperature) {
        int m = s.length;
        int classes = s[0].length;
        double value = 0;
        double[][] ds = new double[m][classes];
        for (int i = 0; i < m; i++) {
            double[] logPs = logSoftmax(s[i], temperature);
            double[] logPt = logSoftmax(t[i], temperature);
            for (int c = 0; c < classes; c++) {
                double pt = Math.exp(logPt[c]);
                if (pt > 0) value += pt * (logPt[c] - logPs[c]);
                ds[i][c] = temperature / m * (Math.exp(logPs[c]) - pt);
            }
        }
        return new Result(temperature * temperature * value / m, ds, null);
    }

    /**
     * CE = 1/m sum_i (logsumexp(s_i) - s_{i, y_i}); dCE/ds_ic = (softmax(s_i)_c - [c == y_i]) / m.
     */
    public static Result crossEntropy(double[][] s, int[] labels) {
        int m = s.length;
        double value = 0;
        double[][] ds = new double[m][];
        for (int i = 0; i < m; i++) {
            double[] logP = logSoftmax(s[i], 1);
            value -= logP[labels[i]];
            ds[i] = new double[logP.length];
            for (int c = 0; c < logP.length; c++) ds[i][c] = (Math.exp(logP[c]) - (c == labels[i] ? 1 : 0)) / m;
        }
        return new Result(value / m, ds, null);
    }

    private static double[] logSoftmax(double[] z, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v / temperature);
        double sum = 0;
        for (double v : z) sum += Math.exp(v / temperature - max);
        double logSum = Math.log(sum);
        double[] out = new double[z.length];
        for (int c = 0; c < z.length; c++) out[c] = z[c] / temperature - max - logSum;
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** x = g P^T: x_ik = sum_q P[k][q] g_iq. */
    static double[][] project(double[][] g, double[][] p) {
        int m = g.length;
        int dt = p.length;
        int ds = p[0].length;
        double[][] x = new double[m][dt];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < dt; k++) {
                double acc = 0;
                for (int q = 0; q < ds; q++) acc += p[k][q] * g[i][q];
                x[i][k] = acc;
            }
        }
        return x;
    }

    /** From dL/dx to dL/dg = dL/dx P and dL/dP = dL/dx^T g (or dL/dg = dL/dx without projection). */
    private static Result withProjection(double value, double[][] dx, double[][] g, double[][] p) {
        if (p == null) return new Result(value, dx, null);
        int m = g.length;
        int dt = p.length;
        int ds = p[0].length;
        double[][] dg = new double[m][ds];
        double[][] dp = new double[dt][ds];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < dt; k++) {
                double v = dx[i][k];
                for (int q = 0; q < ds; q++) {
                    dg[i][q] += v * p[k][q];
                    dp[k][q] += v * g[i][q];
                }
            }
        }
        return new Result(value, dg, dp);
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return s;
    }

    /** |x_i - x_j|^2 from explicit differences; 0 on the diagonal. */
    static double[][] squaredDistances(double[][] x) {
        int m = x.length;
        double[][] out = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                out[i][j] = out[j][i] = squaredDistance(x[i], x[j]);
            }
        }
        return out;
    }

    /** sqrt(max(sq, EPS)) off the diagonal, 0 on it. */
    private static double[][] clampedSqrt(double[][] sq) {
        int m = sq.length;
        double[][] out = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) out[i][j] = Math.sqrt(Math.max(sq[i][j], Numerics.EPS));
            }
        }
        return out;
    }

    /** 1/|x_i - x_j|, or 0 for the diagonal and degenerate legs (no direction). */
    private static double[][] inverseDistances(double[][] sq) {
        int m = sq.length;
        double[][] out = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j && sq[i][j] >= Numerics.EPS) out[i][j] = 1 / Math.sqrt(sq[i][j]);
            }
        }
        return out;
    }

    private static double offDiagonalSum(double[][] a) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (i != j) s += a[i][j];
            }
        }
        return s;
    }

    static double[][] centred(double[][] x) {
        int m = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) mean[k] += row[k];
        }
        for (int k = 0; k < d; k++) mean[k] /= m;
        double[][] out = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) out[i][k] = x[i][k] - mean[k];
        }
        return out;
    }

    static double[][] gram(double[][] x) {
        int m = x.length;
        double[][] out = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) s += x[i][k] * x[j][k];
                out[i][j] = out[j][i] = s;
            }
        }
        return out;
    }
}
