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
        double[] dpSum = gradP == null ? null : new double[dt * s.cols()];
        double[] values = new double[batch];
        double[] dataset = centers == null ? null : PointwiseKernel.problem(centers.values(), 0);
        for (int b = 0; b < batch; b++) {
            double[] g = PointwiseKernel.problem(s, b);
            double[] f = PointwiseKernel.problem(t, b);
            double[] u = dataset != null ? dataset : batchCenters(f, m, dt, labels.problem(b));
            int classes = u.length / dt;
            double[] x = proj == null ? g : proj.apply(g, m);
            double[] shift = new double[dt];
            for (int c = 0; c < classes; c++) {
                for (int k = 0; k < dt; k++) shift[k] += u[c * dt + k] / classes;
            }
            double[] uc = shifted(u, classes, dt, shift);
            double[] xc = shifted(x, m, dt, shift);
            double[] fc = shifted(f, m, dt, shift);
            double[] uct = Gemm.transpose(uc, classes, dt);
            double[] xu = new double[m * classes];
            double[] fu = new double[m * classes];
            Gemm.multiplyAdd(xc, m, dt, uct, classes, xu, par);
            Gemm.multiplyAdd(fc, m, dt, uct, classes, fu, par);
            double[] nu = new double[classes];
            for (int c = 0; c < classes; c++) nu[c] = Gemm.dot(uc, c * dt, uc, c * dt, dt);

            double n = (double) m * classes;
            double value = 0;
            boolean grad = gradS != null || gradP != null;
            double[] w = grad ? new double[m * classes] : null;
            double[] rowW = grad ? new double[m] : null;
            for (int i = 0; i < m; i++) {
                double nx = Gemm.dot(xc, i * dt, xc, i * dt, dt);
                double nf = Gemm.dot(fc, i * dt, fc, i * dt, dt);
                for (int c = 0; c < classes; c++) {
                    double sqX = nx + nu[c] - 2.0 * xu[i * classes + c];
                    double sqF = nf + nu[c] - 2.0 * fu[i * classes + c];
                    double dX = Math.sqrt(Math.max(sqX, Numerics.EPS));
                    double diff = dX - Math.sqrt(Math.max(sqF, Numerics.EPS));
                    value += diff * diff;
                    if (grad && sqX >= Numerics.EPS) {
                        w[i * classes + c] = 2 * diff / (n * dX);
                        rowW[i] += w[i * classes + c];
                    }
                }
            }
            values[b] = value / n;
            if (!grad) continue;
            double[] dx = new double[m * dt];
            Gemm.multiplyAdd(w, m, classes, uc, dt, dx, par);
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < dt; k++) dx[i * dt + k] = rowW[i] * xc[i * dt + k] - dx[i * dt + k];
            }
            if (gradS != null) Gradients.add(gradS, b, proj == null ? dx : proj.backward(dx, m), coef[b]);
            if (dpSum != null) proj.accumulateWeightGradient(dx, g, m, coef[b], dpSum);
        }
        if (dpSum != null) Gradients.add(gradP, 0, dpSum, 1.0);
        return values;
    }

    /** Means per label of the rows of f over the classes present, in increasing class order: {@code [C' x d]}. */
    static double[] batchCenters(double[] f, int m, int d, int[] labels) {
        int max = -1;
        for (int l : labels) max = Math.max(max, l);
        double[] sums = new double[(max + 1) * d];
        int[] counts = new int[max + 1];
        for (int i = 0; i < m; i++) {
            int c = labels[i];
            counts[c]++;
            for (int k = 0; k < d; k++) sums[c * d + k] += f[i * d + k];
        }
        int present = 0;
        for (int cnt : counts) present += cnt > 0 ? 1 : 0;
        double[] out = new double[present * d];
        int at = 0;
        for (int c = 0; c <= max; c++) {
            if (counts[c] == 0) continue;
            for (int k = 0; k < d; k++) out[at * d + k] = sums[c * d + k] / counts[c];
            at++;
        }
        return out;
    }

    private static double[] shifted(double[] x, int rows, int d, double[] shift) {
        double[] out = new double[rows * d];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < d; k++) out[i * d + k] = x[i * d + k] - shift[k];
        }
        return out;
    }
}
