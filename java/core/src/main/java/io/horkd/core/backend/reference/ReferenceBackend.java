package io.horkd.core.backend.reference;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.HintonKd;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;

/**
 * {@link ReferenceLosses} behind the backend interface: each problem is read into float64, computed
 * there, and its gradient rounded to the targets' precision only when added to them (float64 features
 * stay float64 throughout: the gradient checks of SameDiff and DL4J run here). Slow (the angle loss is
 * an explicit loop over m^3 triplets) and exact; the yardstick for the fast backends.
 */
public final class ReferenceBackend implements LossBackend {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public boolean takesFloat64() {
        return true;
    }

    @Override
    public double[] pointwise(PointwiseLoss loss, Features s, Features t, Projection p, Features gradS, Features gradP,
            double[] coef) {
        double[][] pw = p == null ? null : p.weights().problemAsDouble(0);
        double[] values = new double[s.batch()];
        double[][] dpSum = null;
        for (int b = 0; b < s.batch(); b++) {
            var r = ReferenceLosses.pointwise(s.problemAsDouble(b), t.problemAsDouble(b), pw, loss.metric());
            values[b] = r.value();
            dpSum = accumulate(r, b, gradS, coef, dpSum);
        }
        addProjection(dpSum, gradP);
        return values;
    }

    @Override
    public double[][] relational(DistanceLoss l2, double[] coefL2, AngleLoss l3, double[] coefL3, Features s,
            Features t, Features gradS) {
        double[] v2 = l2 == null ? null : new double[s.batch()];
        double[] v3 = l3 == null ? null : new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            double[][] g = s.problemAsDouble(b);
            double[][] f = t.problemAsDouble(b);
            if (l2 != null) {
                var r = ReferenceLosses.distance(g, f, l2);
                v2[b] = r.value();
                accumulate(r, b, gradS, coefL2, null);
            }
            if (l3 != null) {
                var r = ReferenceLosses.angle(g, f, l3);
                v3[b] = r.value();
                accumulate(r, b, gradS, coefL3, null);
            }
        }
        return new double[][] {v2, v3};
    }

    @Override
    public double[] center(CenterLoss loss, Features s, Features t, Labels labels, ClassCenters centers, Projection p,
            Features gradS, Features gradP, double[] coef) {
        double[][] pw = p == null ? null : p.weights().problemAsDouble(0);
        double[][] u = centers == null ? null : centers.values().problemAsDouble(0);
        double[] values = new double[s.batch()];
        double[][] dpSum = null;
        for (int b = 0; b < s.batch(); b++) {
            int[] lab = labels == null ? null : labels.problem(b);
            var r = ReferenceLosses.center(s.problemAsDouble(b), t.problemAsDouble(b), pw, u, lab);
            values[b] = r.value();
            dpSum = accumulate(r, b, gradS, coef, dpSum);
        }
        addProjection(dpSum, gradP);
        return values;
    }

    @Override
    public double[] hinton(HintonKd loss, Features s, Features t, Features gradS, double[] coef) {
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            var r = ReferenceLosses.hinton(s.problemAsDouble(b), t.problemAsDouble(b), loss.temperature());
            values[b] = r.value();
            accumulate(r, b, gradS, coef, null);
        }
        return values;
    }

    @Override
    public double[] crossEntropy(Features s, Labels labels, Features gradS, double[] coef) {
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            var r = ReferenceLosses.crossEntropy(s.problemAsDouble(b), labels.problem(b));
            values[b] = r.value();
            accumulate(r, b, gradS, coef, null);
        }
        return values;
    }

    @Override
    public double[] mmd(Features s, Features t, Projection p, Features gradS, Features gradP, double[] coef) {
        double[][] pw = p == null ? null : p.weights().problemAsDouble(0);
        double[] values = new double[s.batch()];
        double[][] dpSum = null;
        for (int b = 0; b < s.batch(); b++) {
            var r = ReferenceRakd.mmd(s.problemAsDouble(b), pw, t.problemAsDouble(b));
            values[b] = r.value();
            dpSum = accumulate(r, b, gradS, coef, dpSum);
        }
        addProjection(dpSum, gradP);
        return values;
    }

    @Override
    public double[] pairwiseConstraint(Features s, Features t, Features gradS, double[] coef) {
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            var v = ReferenceRakd.pairwise(s.problemAsDouble(b), t.problemAsDouble(b));
            values[b] = v.value();
            accumulate(new ReferenceLosses.Result(v.value(), v.dStudent(), null), b, gradS, coef, null);
        }
        return values;
    }

    /** Adds coef[b] * dStudent to problem b of gradS; sums coef[b] * dProjection into dpSum (returned). */
    private static double[][] accumulate(ReferenceLosses.Result r, int b, Features gradS, double[] coef,
            double[][] dpSum) {
        if (gradS == null) return dpSum;
        double[][] dg = r.dStudent();
        for (int i = 0; i < dg.length; i++) {
            for (int q = 0; q < dg[i].length; q++) {
                gradS.add(b, i, q, coef[b] * dg[i][q]);
            }
        }
        double[][] dp = r.dProjection();
        if (dp == null) return dpSum;
        if (dpSum == null) dpSum = new double[dp.length][dp[0].length];
        for (int k = 0; k < dp.length; k++) {
            for (int q = 0; q < dp[k].length; q++) dpSum[k][q] += coef[b] * dp[k][q];
        }
        return dpSum;
    }

    private static void addProjection(double[][] dpSum, Features gradP) {
        if (dpSum == null || gradP == null) return;
        for (int k = 0; k < dpSum.length; k++) {
            for (int q = 0; q < dpSum[k].length; q++) gradP.add(0, k, q, dpSum[k][q]);
        }
    }
}
