package io.horkd.core.backend.cpu;

import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.Numerics;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;

/**
 * LC on each problem, with the distances to the centres in product form (as the CUDA kernel computes
 * them), in float64:
 * <pre>
 *   x = g P^T (or g);  x, f and u shifted by the centres' mean (distances unchanged)
 *   sq^x_ic = |x_i|^2 + |u_c|^2 - 2 x_i.u_c   (one product X U^T; norms summed in the same order)
 *   L = sum_ic (D^x_ic - D^f_ic)^2 / (m C'),  W_ic = 2 (D^x_ic - D^f_ic) / (m C' D^x_ic)  where sq^x >= EPS
 *   dL/dx_i = (sum_c W_ic) x_i - (W U)_i,   dL/dg = dL/dx P,   dL/dP = dL/dx^T g
 * </pre>
 * Batch scope takes the centres of the classes present in each problem.
 */
final class CenterKernel {
    private CenterKernel() {}

    static double[] run(Features s, Features t, Labels labels, ClassCenters centers, Projection p, Features gradS,
            Features gradP, double[] coef, Parallel par) {
        int batch = s.batch();
        int m = s.rows();
        int dt = t.cols();
        PointwiseKernel.Projected proj = p == null ? null : new PointwiseKernel.Projected(p, par);
        double[][] dpSum = gradP == null ? null : new double[dt][s.cols()];
        double[] values = new double[batch];
        double[][] dataset = centers == null ? null : Gemm.rows(centers.values(), 0);
        boolean grad = gradS != null || gradP != null;
        for (int b = 0; b < batch; b++) {
            double[][] g = Gemm.rows(s, b);
            double[][] f = Gemm.rows(t, b);
            double[][] u = dataset != null ? dataset : ClassCenters.meansOfPresentClasses(f, labels.problem(b));
            int classes = u.length;
            double[][] x = proj == null ? g : proj.apply(g);
            double[] shift = new double[dt];
            for (double[] row : u) {
                for (int k = 0; k < dt; k++) shift[k] += row[k] / classes;
            }
            double[][] uc = shifted(u, shift);
            double[][] xc = shifted(x, shift);
            double[][] fc = shifted(f, shift);
            double[][] uct = Gemm.transpose(uc);
            double[][] xu = new double[m][classes];
            double[][] fu = new double[m][classes];
            // In Java, summed as dot() sums the norms below: a point on its centre gets exactly 0.
            Gemm.multiplyAddExact(xc, uct, xu, par);
            Gemm.multiplyAddExact(fc, uct, fu, par);
            double[] nu = new double[classes];
            for (int c = 0; c < classes; c++) nu[c] = Gemm.dot(uc[c], uc[c]);

            double n = (double) m * classes;
            double value = 0;
            double[][] w = grad ? new double[m][classes] : null;
            double[] rowW = grad ? new double[m] : null;
            for (int i = 0; i < m; i++) {
                double nx = Gemm.dot(xc[i], xc[i]);
                double nf = Gemm.dot(fc[i], fc[i]);
                for (int c = 0; c < classes; c++) {
                    double sqX = nx + nu[c] - 2.0 * xu[i][c];
                    double sqF = nf + nu[c] - 2.0 * fu[i][c];
                    double dX = Math.sqrt(Math.max(sqX, Numerics.EPS));
                    double diff = dX - Math.sqrt(Math.max(sqF, Numerics.EPS));
                    value += diff * diff;
                    if (grad && sqX >= Numerics.EPS) {
                        w[i][c] = 2 * diff / (n * dX);
                        rowW[i] += w[i][c];
                    }
                }
            }
            values[b] = value / n;
            if (!grad) continue;
            double[][] dx = new double[m][dt];
            Gemm.multiplyAdd(w, uc, dx, par);
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < dt; k++) dx[i][k] = rowW[i] * xc[i][k] - dx[i][k];
            }
            if (gradS != null) Gradients.add(gradS, b, proj == null ? dx : proj.backward(dx), coef[b]);
            if (dpSum != null) proj.accumulateWeightGradient(dx, g, coef[b], dpSum);
        }
        if (dpSum != null) Gradients.add(gradP, 0, dpSum, 1.0);
        return values;
    }

    private static double[][] shifted(double[][] x, double[] shift) {
        double[][] out = new double[x.length][shift.length];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < shift.length; k++) out[i][k] = x[i][k] - shift[k];
        }
        return out;
    }
}
