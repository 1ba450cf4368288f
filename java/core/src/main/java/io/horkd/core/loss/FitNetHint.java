package io.horkd.core.loss;

import io.horkd.core.backend.cpu.MethodKernels;
import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;

/**
 * The FitNet hint (Romero et al.; RepDistiller's {@code FitNet.py}) at one stage:
 * {@code L = mean over all elements of (r(F^s) - pool(F^t))^2}, the teacher's map area-pooled to the
 * student's size. The regressor {@code r} is the input's projection {@code [Ct, Cs]} applied as a 1x1
 * convolution (its gradient is returned), or the identity without one (then {@code Cs = Ct}). In training
 * the regressor is METHODS.md's 1x1 convolution, batch norm and ReLU, built in the graph before this
 * term. {@code stage}: 0 for the middle stage (METHODS.md's default), k for the k-th; weight 100 there.
 */
public record FitNetHint(int stage) implements Term.OnStages {
    public FitNetHint {
        if (stage < 0) throw new IllegalArgumentException("stage must be >= 0 (0: the middle stage), got " + stage);
    }

    @Override
    public int[] stages(int count) {
        return stage() != 0 ? chosen(count) : new int[] {(count + 1) / 2};
    }

    @Override
    public void check(LossInput input) {
        MapTerms.requireMaps("fitnet", input);
        MapTerms.requireTeacherNotSmaller("fitnet", input);
        int cs = input.studentMap().channels();
        int ct = input.teacherMap().channels();
        Projection p = input.projection();
        if (p == null && cs != ct) {
            throw new IllegalArgumentException("fitnet: the student's maps have " + cs + " channels, the teacher's " + ct
                    + ": give a regressor (projection) [" + ct + ", " + cs + "]");
        }
        if (p != null && (p.outDim() != ct || p.inDim() != cs)) {
            throw new IllegalArgumentException("fitnet: the regressor " + p.weights().shape() + " must map " + cs
                    + " student channels to " + ct + " teacher channels: expected [" + ct + ", " + cs + "]");
        }
    }

    @Override
    public double[] run(LossBackend backend, LossInput in, Features gradS, Features gradP, double[] coef) {
        Projection p = in.projection();
        if (!backend.takesFloat64()) {
            return MethodKernels.hint(backend, in.student(), in.studentMap(), in.teacher(), in.teacherMap(),
                    p == null ? null : p.weights(), gradS, gradP, coef);
        }
        double[][] w = p == null ? null : p.weights().problemAsDouble(0);
        double[] values = new double[in.student().batch()];
        double[][] dw = w == null ? null : new double[w.length][w[0].length];
        for (int b = 0; b < values.length; b++) {
            var s = MapTerms.maps(in.student(), in.studentMap(), b);
            var t = MapTerms.maps(in.teacher(), in.teacherMap(), b);
            if (w == null) {
                ReferenceMethods.Value v = ReferenceMethods.hint(s, t);
                values[b] = v.value();
                MapTerms.add(gradS, b, v.dStudent(), coef[b]);
            } else {
                ReferenceLosses.Result r = ReferenceMethods.hint(s, w, t);
                values[b] = r.value();
                MapTerms.add(gradS, b, r.dStudent(), coef[b]);
                for (int k = 0; k < dw.length; k++) {
                    for (int c = 0; c < dw[k].length; c++) dw[k][c] += coef[b] * r.dProjection()[k][c];
                }
            }
        }
        if (dw != null) MapTerms.add(gradP, 0, dw, 1.0); // summed over problems, then rounded once
        return values;
    }
}
