package io.horkd.nd4j.ops;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.HybridLoss;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Reduction;

/**
 * The configuration of a hybrid-loss op, and its encoding in the op's integer and floating-point
 * arguments: the only arguments that survive SameDiff's serialisation (and the cloning through
 * FlatBuffers by which SameDiff builds gradient graphs).
 *
 * <pre>
 *   t-args: w1, alpha, beta, gamma
 *   i-args: pointwise metric (0 MAE, 1 MSE), distance function (1 square, 2 Huber), distance reduction
 *           (0 paper, 1 RKD), angle reduction, centre scope (0 dataset, 1 batch), has projection,
 *           has labels, has centres
 * </pre>
 * The op's inputs follow in this order: student, projection (if any), teacher, labels (if any),
 * centres (if any). Everything that gets a gradient comes first, so the op's backward returns a short
 * list and the teacher, labels and centres get none.
 */
public record LossSpec(double w1, double alpha, double beta, double gamma, PointwiseLoss.Metric metric,
        DistanceLoss.Function distanceFunction, Reduction distanceReduction, Reduction angleReduction,
        CenterLoss.Scope centerScope, boolean hasProjection, boolean hasLabels, boolean hasCenters) {

    static final int I_ARGS = 8;
    static final int T_ARGS = 4;

    /** The spec of a core loss, with the given inputs present. */
    public static LossSpec of(HybridLoss loss, boolean hasProjection, boolean hasLabels, boolean hasCenters) {
        return new LossSpec(loss.weight(HybridLoss.Term.L1), loss.weight(HybridLoss.Term.L2),
                loss.weight(HybridLoss.Term.L3), loss.weight(HybridLoss.Term.LC), loss.pointwise().metric(),
                loss.distance().function(), loss.distance().reduction(), loss.angle().reduction(),
                loss.center().scope(), hasProjection, hasLabels, hasCenters);
    }

    /** The core loss this spec computes. */
    public HybridLoss coreLoss() {
        return HybridLoss.builder().pointwise(w1, PointwiseLoss.of(metric))
                .distance(alpha, DistanceLoss.of(distanceFunction, distanceReduction))
                .angle(beta, AngleLoss.of(angleReduction)).center(gamma, CenterLoss.of(centerScope)).build();
    }

    long[] iArgs() {
        return new long[] {metric.ordinal(), distanceFunction == DistanceLoss.Function.SQUARE ? 1 : 2,
            distanceReduction.ordinal(), angleReduction.ordinal(), centerScope.ordinal(), hasProjection ? 1 : 0,
            hasLabels ? 1 : 0, hasCenters ? 1 : 0};
    }

    double[] tArgs() {
        return new double[] {w1, alpha, beta, gamma};
    }

    static LossSpec fromArgs(long[] i, double[] t) {
        if (i.length < I_ARGS || t.length < T_ARGS) {
            throw new IllegalStateException("a horkd loss op needs " + I_ARGS + " integer and " + T_ARGS
                    + " floating-point arguments, found " + i.length + " and " + t.length);
        }
        return new LossSpec(t[0], t[1], t[2], t[3], PointwiseLoss.Metric.values()[(int) i[0]],
                i[1] == 1 ? DistanceLoss.Function.SQUARE : DistanceLoss.Function.HUBER, Reduction.values()[(int) i[2]],
                Reduction.values()[(int) i[3]], CenterLoss.Scope.values()[(int) i[4]], i[5] != 0, i[6] != 0, i[7] != 0);
    }

    /** Index of each input, -1 where absent. */
    int projectionIndex() {
        return hasProjection ? 1 : -1;
    }

    int teacherIndex() {
        return hasProjection ? 2 : 1;
    }

    int labelsIndex() {
        return hasLabels ? teacherIndex() + 1 : -1;
    }

    int centersIndex() {
        return hasCenters ? teacherIndex() + (hasLabels ? 2 : 1) : -1;
    }

    int inputCount() {
        return 2 + (hasProjection ? 1 : 0) + (hasLabels ? 1 : 0) + (hasCenters ? 1 : 0);
    }
}
