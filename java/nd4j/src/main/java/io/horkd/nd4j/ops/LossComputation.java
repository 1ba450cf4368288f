package io.horkd.nd4j.ops;

import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.HybridLoss;
import io.horkd.core.loss.LossInput;
import io.horkd.core.tensor.Features;
import io.horkd.nd4j.HorkdNd4j;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every hybrid-loss op computes, on INDArrays:
 * <ul>
 *   <li>float32 inputs: horkd's fast backend ({@link HorkdNd4j#backend()}: by default CUDA where a device is
 *       found, else the CPU backend) over the arrays' own memory: no copies in or out on the CPU;</li>
 *   <li>float64 inputs: the float64 reference, so that SameDiff's finite-difference gradient checks
 *       (which perturb by 1e-6) see an exact function.</li>
 * </ul>
 * Both check their input with the core loss's own checks, so bad shapes and labels fail inside a graph
 * with the same named exceptions as outside.
 */
public final class LossComputation {
    private LossComputation() {}

    /** The loss input of an op's arrays (float32 views; float64 arrays are copied for the checks). */
    static LossInput input(LossSpec spec, List<INDArray> in) {
        INDArray s = in.get(0);
        LossInput input = LossInput.of(NdViews.features(s, "student"), NdViews.features(in.get(spec.teacherIndex()), "teacher"));
        if (spec.hasProjection()) input = input.withProjection(NdViews.projection(in.get(spec.projectionIndex())));
        if (spec.hasCenters()) input = input.withCenters(NdViews.centers(in.get(spec.centersIndex())));
        if (spec.hasLabels()) {
            NdViews.LabelsWithCount l = NdViews.labels(in.get(spec.labelsIndex()), s.rank());
            input = l.numClasses() > 0 ? input.withLabels(l.labels(), l.numClasses()) : input.withLabels(l.labels());
        }
        return input;
    }

    /** The total of each problem. */
    public static double[] forward(LossSpec spec, List<INDArray> in) {
        HybridLoss loss = spec.coreLoss();
        LossInput input = input(spec, in);
        if (in.get(0).dataType() == DataType.DOUBLE) {
            loss.check(input);
            return inDouble(spec, in, input, null, null, null);
        }
        GradientHandover handover = GradientHandover.current();
        if (!handover.forwardWantsGradient()) return loss.computeTerms(HorkdNd4j.backend(), input, null).total();
        // Training: compute the gradient now and hand it to the grad op that follows (GradientHandover).
        Features s = input.student();
        Features gS = Features.zeros(s.batch(), s.rows(), s.cols());
        Features gP = null;
        GradientSink sink = GradientSink.into(gS);
        if (spec.hasProjection()) {
            Features w = input.projection().weights();
            gP = Features.zeros(1, w.rows(), w.cols());
            sink = sink.withProjection(gP);
        }
        double[] totals = loss.computeTerms(HorkdNd4j.backend(), input, sink).total();
        handover.offer(spec, in, totals, gS.toArray(), gP == null ? null : gP.toArray());
        return totals;
    }

    /** dS (and dP) of sum_b upstream[b] * total_b, overwriting the outputs. */
    static void backward(LossSpec spec, List<INDArray> in, INDArray upstream, INDArray dS, INDArray dP) {
        backward(spec, in, upstream.castTo(DataType.DOUBLE).dup().data().asDouble(), dS, dP);
    }

    /**
     * The total of each problem, and into {@code dS} (and {@code dP}) the gradient of
     * {@code sum_b up[b] * total_b}, overwriting them. {@code dS} must be a C-order array of the student's
     * shape and type (it is written in place).
     */
    public static double[] backward(LossSpec spec, List<INDArray> in, double[] up, INDArray dS, INDArray dP) {
        HybridLoss loss = spec.coreLoss();
        LossInput input = input(spec, in);
        if (in.get(0).dataType() == DataType.DOUBLE) {
            loss.check(input);
            return inDouble(spec, in, input, up, dS, dP);
        }
        if (!NdViews.viewable(dS) || (dP != null && !NdViews.viewable(dP))) {
            throw new IllegalArgumentException("gradient outputs must be dense row-major float32 arrays, got "
                    + dS.shapeInfoToString() + (dP == null ? "" : " and " + dP.shapeInfoToString()));
        }
        double[] handed = GradientHandover.current().take(spec, in, up, dS, dP);
        if (handed != null) return handed;
        Features gS = NdViews.features(dS, "student gradient");
        GradientSink sink = GradientSink.into(gS).upstream(up);
        if (dP != null) sink = sink.withProjection(NdViews.features(dP, "projection gradient"));
        return loss.computeTerms(HorkdNd4j.backend(), input, sink).total();
    }

    /** The float64 path: the reference per problem and term; gradients into dS/dP when up != null. */
    private static double[] inDouble(LossSpec spec, List<INDArray> in, LossInput input, double[] up, INDArray dS,
            INDArray dP) {
        INDArray s = in.get(0);
        INDArray t = in.get(spec.teacherIndex());
        int batch = input.student().batch();
        int m = input.student().rows();
        double[][] p = spec.hasProjection() ? in.get(spec.projectionIndex()).castTo(DataType.DOUBLE).toDoubleMatrix() : null;
        double[][] u = spec.hasCenters() ? in.get(spec.centersIndex()).castTo(DataType.DOUBLE).toDoubleMatrix() : null;
        double[] totals = new double[batch];
        double[][] dpSum = dP == null ? null : new double[p.length][p[0].length];
        for (int b = 0; b < batch; b++) {
            double[][] g = NdViews.problem(s, b);
            double[][] f = NdViews.problem(t, b);
            double[][] dg = new double[m][g[0].length];
            double c = up == null ? 0 : up[b];
            if (spec.w1() > 0) {
                totals[b] += add(spec.w1(), ReferenceLosses.pointwise(g, f, p, spec.metric()), c, dg, dpSum);
            }
            if (spec.alpha() > 0) {
                totals[b] += add(spec.alpha(), ReferenceLosses.distance(g, f,
                        DistanceLoss.of(spec.distanceFunction(), spec.distanceReduction())), c, dg, null);
            }
            if (spec.beta() > 0) {
                totals[b] += add(spec.beta(), ReferenceLosses.angle(g, f, AngleLoss.of(spec.angleReduction())), c, dg, null);
            }
            if (spec.gamma() > 0) {
                boolean dataset = spec.centerScope() == CenterLoss.Scope.DATASET;
                int[] labels = input.labels() == null ? null : input.labels().problem(b);
                totals[b] += add(spec.gamma(), ReferenceLosses.center(g, f, p, dataset ? u : null, labels), c, dg, dpSum);
            }
            if (dS != null) {
                INDArray target = s.rank() == 3 ? dS.slice(b) : dS;
                target.assign(Nd4j.createFromArray(dg).castTo(dS.dataType()));
            }
        }
        if (dP != null) dP.assign(Nd4j.createFromArray(dpSum).castTo(dP.dataType()));
        return totals;
    }

    /** Adds weight * coef * the term's gradients; returns weight * value. */
    private static double add(double weight, ReferenceLosses.Result r, double coef, double[][] dg, double[][] dpSum) {
        double[][] g = r.dStudent();
        for (int i = 0; i < dg.length; i++) {
            for (int k = 0; k < dg[i].length; k++) dg[i][k] += weight * coef * g[i][k];
        }
        if (dpSum != null && r.dProjection() != null) {
            for (int k = 0; k < dpSum.length; k++) {
                for (int q = 0; q < dpSum[k].length; q++) dpSum[k][q] += weight * coef * r.dProjection()[k][q];
            }
        }
        return weight * r.value();
    }

    /** The shape of a loss op's value for student features {@code s}: a scalar for [m, d], [B] for [B, m, d]. */
    static List<LongShapeDescriptor> valueShape(INDArray s) {
        return List.of(LongShapeDescriptor.fromShape(s.rank() == 3 ? new long[] {s.size(0)} : new long[0], s.dataType()));
    }

    /** One loss value per problem: a scalar for [m, d] features, [B] for [B, m, d]. */
    static void writeValues(double[] values, INDArray out) {
        if (out.rank() == 0) out.assign(values[0]);
        else out.assign(Nd4j.createFromArray(values).castTo(out.dataType()));
    }
}
