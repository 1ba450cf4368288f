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
        int ds = s.cols();
        int dt = t.cols();
        boolean mae = loss.metric() == PointwiseLoss.Metric.MAE;
        Projected proj = p == null ? null : new Projected(p, par);
        double[] dpSum = gradP == null ? null : new double[dt * ds];
        double[] values = new double[batch];
        double n = (double) m * dt;
        for (int b = 0; b < batch; b++) {
            double[] g = problem(s, b);
            double[] f = problem(t, b);
            double[] x = proj == null ? g : proj.apply(g, m);
            double value = 0;
            boolean grad = gradS != null || gradP != null;
            double[] dx = grad ? new double[m * dt] : null;
            for (int q = 0; q < m * dt; q++) {
                double diff = x[q] - f[q];
                value += mae ? Math.abs(diff) : diff * diff;
                if (grad) dx[q] = (mae ? Math.signum(diff) : 2 * diff) / n;
            }
            values[b] = value / n;
            if (!grad) continue;
            if (gradS != null) Gradients.add(gradS, b, proj == null ? dx : proj.backward(dx, m), coef[b]);
            if (dpSum != null) proj.accumulateWeightGradient(dx, g, m, coef[b], dpSum);
        }
        if (dpSum != null) Gradients.add(gradP, 0, dpSum, 1.0);
        return values;
    }

    /** Problem {@code b} of {@code x} widened to double. */
    static double[] problem(Features x, int b) {
        float[] raw = new float[x.rows() * x.cols()];
        x.copyProblem(b, raw);
        return Gemm.widen(raw);
    }

    /** The projection {@code x = g P^T} and its two backward products, shared by L1 and LC. */
    static final class Projected {
        private final int dt;
        private final int ds;
        private final double[] w; // [dt x ds]
        private final double[] wt; // [ds x dt]
        private final Parallel par;

        Projected(Projection p, Parallel par) {
            this.dt = p.outDim();
            this.ds = p.inDim();
            this.w = Gemm.widen(p.weights().toArray());
            this.wt = Gemm.transpose(w, dt, ds);
            this.par = par;
        }

        /** {@code x = g P^T}, {@code [m x dt]}. */
        double[] apply(double[] g, int m) {
            double[] x = new double[m * dt];
            Gemm.multiplyAdd(g, m, ds, wt, dt, x, par);
            return x;
        }

        /** {@code dL/dg = dL/dx P}, {@code [m x ds]}. */
        double[] backward(double[] dx, int m) {
            double[] dg = new double[m * ds];
            Gemm.multiplyAdd(dx, m, dt, w, ds, dg, par);
            return dg;
        }

        /** {@code into += coef * dL/dx^T g}, {@code [dt x ds]}. */
        void accumulateWeightGradient(double[] dx, double[] g, int m, double coef, double[] into) {
            double[] dp = new double[dt * ds];
            Gemm.multiplyAdd(Gemm.transpose(dx, m, dt), dt, m, g, ds, dp, par);
            for (int q = 0; q < dp.length; q++) into[q] += coef * dp[q];
        }
    }
}
