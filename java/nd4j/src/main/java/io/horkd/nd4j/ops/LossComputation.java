package io.horkd.nd4j.ops;

import io.horkd.core.backend.Backends;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Term;
import io.horkd.core.tensor.Features;
import io.horkd.nd4j.HorkdNd4j;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every loss op computes, on INDArrays, through the objective itself (so bad shapes and labels fail
 * inside a graph with the same named exceptions as outside):
 * <ul>
 *   <li>float32 inputs: horkd's fast backend ({@link HorkdNd4j#backend()}: by default CUDA where a device is
 *       found, else the CPU backend) over the arrays' own memory: no copies in or out on the CPU;</li>
 *   <li>float64 inputs: the float64 reference, on float64 views, so that SameDiff's finite-difference
 *       gradient checks (which perturb by 1e-6) see an exact function.</li>
 * </ul>
 */
public final class LossComputation {
    private LossComputation() {}

    /**
     * The loss input of an op's arrays, every floating-point input in the student's precision (float64
     * students run on the reference; anything else on float32 views or copies).
     */
    static LossInput input(LossSpec spec, List<INDArray> in) {
        INDArray s = in.get(0);
        INDArray t = in.get(spec.teacherIndex());
        boolean f64 = s.dataType() == DataType.DOUBLE;
        LossInput input;
        if (spec.reads() == Term.Reads.MAPS) {
            input = LossInput.maps(NdViews.maps(s, "student maps", f64), NdViews.mapShape(s), NdViews.maps(t, "teacher maps", f64),
                    NdViews.mapShape(t));
        } else {
            String what = spec.reads() == Term.Reads.LOGITS ? " logits" : "";
            input = LossInput.of(NdViews.features(s, "student" + what, f64), NdViews.features(t, "teacher" + what, f64));
        }
        if (spec.hasProjection()) input = input.withProjection(NdViews.projection(in.get(spec.projectionIndex()), f64));
        if (spec.hasCenters()) input = input.withCenters(NdViews.centers(in.get(spec.centersIndex()), f64));
        if (spec.hasTeacherLogits()) {
            input = input.withTeacherLogits(NdViews.features(in.get(spec.teacherLogitsIndex()), "teacher logits", f64));
        }
        if (spec.hasLabels()) {
            NdViews.LabelsWithCount l = NdViews.labels(in.get(spec.labelsIndex()), spec.reads() == Term.Reads.MAPS ? 2 : s.rank());
            input = l.numClasses() > 0 ? input.withLabels(l.labels(), l.numClasses()) : input.withLabels(l.labels());
        }
        return input;
    }

    private static LossBackend backend(List<INDArray> in) {
        return in.get(0).dataType() == DataType.DOUBLE ? Backends.reference() : HorkdNd4j.backend();
    }

    /** The total of each problem. */
    public static double[] forward(LossSpec spec, List<INDArray> in) {
        Objective loss = spec.objective();
        LossInput input = input(spec, in);
        GradientHandover handover = GradientHandover.current();
        if (input.student().isFloat64() || !handover.forwardWantsGradient(spec, in)) {
            return loss.computeTerms(backend(in), input, null).total();
        }
        // Training: compute the gradient now and hand it to the grad op that follows (GradientHandover).
        Features s = input.student();
        float[] dS = new float[s.size()];
        float[] dP = null;
        GradientSink sink = GradientSink.into(Features.of(dS, s.batch(), s.rows(), s.cols()));
        if (spec.hasProjection()) {
            Features w = input.projection().weights();
            dP = new float[w.size()];
            sink = sink.withProjection(Features.of(dP, 1, w.rows(), w.cols()));
        }
        double[] totals = loss.computeTerms(HorkdNd4j.backend(), input, sink).total();
        handover.offer(spec, in, totals, dS, dP);
        return totals;
    }

    /** dS (and dP) of sum_b upstream[b] * total_b, overwriting the outputs. */
    static void backward(LossSpec spec, List<INDArray> in, INDArray upstream, INDArray dS, INDArray dP) {
        backward(spec, in, upstream.castTo(DataType.DOUBLE).dup().data().asDouble(), dS, dP);
    }

    /**
     * The total of each problem, and into {@code dS} (and {@code dP}) the gradient of
     * {@code sum_b up[b] * total_b}, overwriting them. {@code dS} must be a dense row-major array of the
     * student's shape and type (it is written in place).
     */
    public static double[] backward(LossSpec spec, List<INDArray> in, double[] up, INDArray dS, INDArray dP) {
        LossInput input = input(spec, in);
        DataType type = in.get(0).dataType();
        if (!NdViews.writable(dS, type) || (dP != null && !NdViews.writable(dP, type))) {
            throw new IllegalArgumentException("gradient outputs must be dense row-major " + type + " arrays, got "
                    + dS.shapeInfoToString() + (dP == null ? "" : " and " + dP.shapeInfoToString()));
        }
        if (type != DataType.DOUBLE) {
            double[] handed = GradientHandover.current().take(spec, in, up, dS, dP);
            if (handed != null) return handed;
        }
        boolean f64 = type == DataType.DOUBLE; // dS and dP are writable: dense arrays of this type, viewed in place
        Features gS = spec.reads() == Term.Reads.MAPS ? NdViews.maps(dS, "student gradient", f64) : NdViews.features(dS, "student gradient", f64);
        GradientSink sink = GradientSink.into(gS).upstream(up);
        if (dP != null) sink = sink.withProjection(NdViews.features(dP, "projection gradient", f64));
        return spec.objective().computeTerms(backend(in), input, sink).total();
    }

    /** The shape of a loss op's value for student input {@code s}: a scalar for [m, d] and maps, [B] for [B, m, d]. */
    static List<LongShapeDescriptor> valueShape(INDArray s) {
        return List.of(LongShapeDescriptor.fromShape(s.rank() == 3 ? new long[] {s.size(0)} : new long[0], s.dataType()));
    }

    /** One loss value per problem: a scalar for [m, d] features, [B] for [B, m, d]. */
    static void writeValues(double[] values, INDArray out) {
        if (out.rank() == 0) out.assign(values[0]);
        else out.assign(Nd4j.createFromArray(values).castTo(out.dataType()));
    }
}
