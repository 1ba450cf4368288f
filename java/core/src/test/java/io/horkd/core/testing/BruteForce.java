package io.horkd.core.testing;

import io.horkd.core.loss.Numerics;

/**
 * The relational potentials written as literally as LOSSES.md states them, with explicit difference
 * vectors and unit vectors: O(m^3 d), for small problems only. An oracle for the forward values of the
 * reference (which takes the angle numerators from the Gram matrix instead).
 */
public final class BruteForce {
    private BruteForce() {}

    /** psi_ij = D_ij / mu with D clamped; 0 on the diagonal. */
    public static double[][] normalisedDistances(double[][] x) {
        int m = x.length;
        double[][] dist = new double[m][m];
        double sum = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i == j) continue;
                double sq = 0;
                for (int k = 0; k < x[i].length; k++) sq += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
                dist[i][j] = Math.sqrt(Math.max(sq, Numerics.EPS));
                sum += dist[i][j];
            }
        }
        double mu = sum / (m * (m - 1.0));
        for (double[] row : dist) {
            for (int j = 0; j < m; j++) row[j] /= mu;
        }
        return dist;
    }

    /** cos at vertex j between legs to i and k; a leg shorter than sqrt(EPS) has unit vector 0. */
    public static double[][][] angles(double[][] x) {
        int m = x.length;
        int d = x[0].length;
        double[][][] unit = new double[m][m][d]; // unit[j][i] = (x_i - x_j)/|x_i - x_j|
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < m; i++) {
                double sq = 0;
                for (int k = 0; k < d; k++) sq += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
                if (i == j || sq < Numerics.EPS) continue;
                double n = Math.sqrt(sq);
                for (int k = 0; k < d; k++) unit[j][i][k] = (x[i][k] - x[j][k]) / n;
            }
        }
        double[][][] cos = new double[m][m][m]; // cos[i][j][k], vertex j
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < m; k++) {
                    double s = 0;
                    for (int q = 0; q < d; q++) s += unit[j][i][q] * unit[j][k][q];
                    cos[i][j][k] = s;
                }
            }
        }
        return cos;
    }

    /** Share of ordered pairs whose |psi^g - psi^f| exceeds 1 (Huber's linear branch). */
    public static double linearShareL2(double[][] g, double[][] f) {
        double[][] pg = normalisedDistances(g);
        double[][] pf = normalisedDistances(f);
        int m = g.length;
        int count = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j && Math.abs(pg[i][j] - pf[i][j]) > 1) count++;
            }
        }
        return count / (m * (m - 1.0));
    }

    /** Share of ordered distinct triplets whose |cos^g - cos^f| exceeds 1. */
    public static double linearShareL3(double[][] g, double[][] f) {
        double[][][] cg = angles(g);
        double[][][] cf = angles(f);
        int m = g.length;
        int count = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                for (int k = 0; k < m; k++) {
                    if (i != j && j != k && i != k && Math.abs(cg[i][j][k] - cf[i][j][k]) > 1) count++;
                }
            }
        }
        return count / (m * (m - 1.0) * (m - 2.0));
    }
}
