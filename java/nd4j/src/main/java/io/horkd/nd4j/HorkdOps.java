package io.horkd.nd4j;

import io.horkd.nd4j.nn.BatchNormGradOp;
import io.horkd.nd4j.nn.BatchNormOp;
import io.horkd.nd4j.ops.AngleLossGradOp;
import io.horkd.nd4j.ops.AngleLossOp;
import io.horkd.nd4j.ops.CenterLossGradOp;
import io.horkd.nd4j.ops.CenterLossOp;
import io.horkd.nd4j.ops.DistanceLossGradOp;
import io.horkd.nd4j.ops.DistanceLossOp;
import io.horkd.nd4j.ops.HintonKdOp;
import io.horkd.nd4j.ops.HybridLossGradOp;
import io.horkd.nd4j.ops.HybridLossOp;
import io.horkd.nd4j.ops.PointwiseLossGradOp;
import io.horkd.nd4j.ops.PointwiseLossOp;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.imports.converters.ImportClassMapping;

/**
 * horkd's ops (the losses and batch normalisation), registered by name with ND4J, which is how SameDiff finds an op's class when it loads a
 * graph or clones one through FlatBuffers to build its gradients.
 */
public final class HorkdOps {
    private HorkdOps() {}

    /** Every op, forward and backward. */
    public static List<DifferentialFunction> all() {
        return List.of(new HybridLossOp(), new HybridLossGradOp(), new DistanceLossOp(), new DistanceLossGradOp(),
                new AngleLossOp(), new AngleLossGradOp(), new CenterLossOp(), new CenterLossGradOp(),
                new PointwiseLossOp(), new PointwiseLossGradOp(), new HintonKdOp(), new HintonKdOp.Grad(),
                new BatchNormOp(), new BatchNormGradOp());
    }

    /** Idempotent. */
    static synchronized void register() {
        Map<String, DifferentialFunction> byName = ImportClassMapping.getOpNameMapping();
        for (DifferentialFunction op : all()) byName.putIfAbsent(op.opName(), op);
    }
}
