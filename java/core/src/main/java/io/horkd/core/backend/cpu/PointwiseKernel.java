package io.horkd.core.backend.cpu;

import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;

/**
 * L1 on each problem: {@code x = g P^T} (or g), {@code L = mean pen(x - f)}; backward
 * {@code dL/dx = pen'(x - f)/(m dt)}, {@code dL/dg = dL/dx P}, {@code dL/dP = dL/dx^T g} (summed over
 * problems, each times its coefficient).
 */
final class PointwiseKernel {
    private PointwiseKernel() {}

    static double[] run(PointwiseLoss loss, Features s, Features t, Projection p, Features gradS, Features gradP,
            double[] coef, Parallel par) {
        int batch = s.batch();
        int m = s.rows();
        int dt = t.cols();
        boolean mae = loss.metric() == PointwiseLoss.Metric.MAE;
        Projected proj = p == null ? null : new Projected(p, par);
        double[][] dpSum = gradP == null ? null : new double[dt][s.cols()];
        double[] values = new double[batch];
        double n = (double) m * dt;
        boolean grad = gradS != null || gradP != null;
        for (int b = 0; b < batch; b++) {
            double[][] g = Gemm.rows(s, b);
            double[][] f = Gemm.rows(t, b);
            double[][] x = proj == null ? g : proj.apply(g);
            double value = 0;
            double[][] dx = grad ? new double[m][dt] : null;
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < dt; k++) {
                    double diff = x[i][k] - f[i][k];
                    value += mae ? Math.abs(diff) : diff * diff;
                    if (grad) dx[i][k] = (mae ? Math.signum(diff) : 2 * diff) / n;
                }
            }
            values[b] = value / n;
            if (!grad) continue;
            if (gradS != null) Gradients.add(gradS, b, proj == null ? dx : proj.backward(dx), coef[b]);
            if (dpSum != null) proj.accumulateWeightGradient(dx, g, coef[b], dpSum);
        }
        if (dpSum != null) Gradients.add(gradP, 0, dpSum, 1.0);
        return values;
    }

    /** The projection {@code x = g P^T} and its two backward products, shared by L1 and LC. */
    static final class Projected {
        private final double[][] w; // [dt][ds]
        private final double[][] wt; // [ds][dt]
        private final Parallel par;

        Projected(Projection p, Parallel par) {
            this.w = Gemm.rows(p.weights(), 0);
            this.wt = Gemm.transpose(w);
            this.par = par;
        }

        /** {@code x = g P^T}, {@code [m][dt]}. */
        double[][] apply(double[][] g) {
            double[][] x = new double[g.length][w.length];
            Gemm.multiplyAdd(g, wt, x, par);
            return x;
        }

        /** {@code dL/dg = dL/dx P}, {@code [m][ds]}. */
        double[][] backward(double[][] dx) {
            double[][] dg = new double[dx.length][wt.length];
            Gemm.multiplyAdd(dx, w, dg, par);
            return dg;
        }

        /** {@code into += coef * dL/dx^T g}, {@code [dt][ds]}. */
        void accumulateWeightGradient(double[][] dx, double[][] g, double coef, double[][] into) {
            double[][] dp = new double[w.length][wt.length];
            Gemm.multiplyAdd(Gemm.transpose(dx), g, dp, par);
            for (int k = 0; k < dp.length; k++) {
                for (int q = 0; q < dp[k].length; q++) into[k][q] += coef * dp[k][q];
            }
        }
    }
}
