package io.horkd.core.backend.cpu;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.tensor.Features;

/**
 * L2 and L3 of each problem together: the centred Gram matrices of both sides are computed once, both
 * losses add their (coefficient-weighted) symmetric Gram gradients into one {@code K}, and one product
 * gives the student gradient of both:
 * <pre>
 *   dL/dg_i = sum_j K_ij c_j - (sum_j K_ij) c_i  =  sum_j K_ij (c_j - c_i)
 * </pre>
 * Both losses depend on differences only, so K's rows sum to 0 in exact arithmetic; subtracting the
 * computed row sums removes what float rounding in K leaves behind, which would otherwise be multiplied
 * by |c_i| rather than by the (possibly much smaller) distances that carry the gradient.
 */
final class RelationalKernel {
    private RelationalKernel() {}

    static double[][] run(DistanceLoss l2, double[] coefL2, AngleLoss l3, double[] coefL3, Features s, Features t,
            Features gradS, Parallel par) {
        int batch = s.batch();
        int m = s.rows();
        double[] v2 = l2 == null ? null : new double[batch];
        double[] v3 = l3 == null ? null : new double[batch];
        for (int b = 0; b < batch; b++) {
            GramSide gs = GramSide.of(s, b, par);
            GramSide gt = GramSide.of(t, b, par);
            double[][] k = gradS == null ? null : new double[m][m];
            if (l2 != null) v2[b] = PairwiseKernel.run(l2, gs, gt, k, coefL2[b], par);
            if (l3 != null) v3[b] = AngleKernel.run(l3, gs, gt, k, coefL3[b], par);
            if (k != null) Gradients.add(gradS, b, laplacianTimes(k, gs.centred, par), 1.0);
        }
        return new double[][] {v2, v3};
    }

    /** {@code sum_j K_ij (c_j - c_i)} for every row i, as {@code K C - diag(K 1) C}. */
    static double[][] laplacianTimes(double[][] k, double[][] c, Parallel par) {
        int m = k.length;
        double[][] out = new double[m][c[0].length];
        Gemm.multiplyAdd(k, c, out, par);
        for (int i = 0; i < m; i++) {
            double rowSum = 0;
            for (double v : k[i]) rowSum += v;
            double[] oi = out[i];
            double[] ci = c[i];
            for (int q = 0; q < oi.length; q++) oi[q] -= rowSum * ci[q];
        }
        return out;
    }
}
