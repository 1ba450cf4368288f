package io.horkd.nd4j;

import io.horkd.nd4j.nn.BatchNormGradOp;
import io.horkd.nd4j.nn.BatchNormOp;
import io.horkd.nd4j.nn.ReluGradOp;
import io.horkd.nd4j.nn.ReluOp;
import io.horkd.nd4j.ops.HorkdLossGradOp;
import io.horkd.nd4j.ops.HorkdLossOp;
import io.horkd.nd4j.ops.LossSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.imports.converters.ImportClassMapping;

/**
 * horkd's ops (the losses and batch normalisation), registered by name with ND4J, which is how SameDiff
 * finds an op's class when it loads a graph or clones one through FlatBuffers to build its gradients.
 *
 * <p>One loss op class serves every loss op name ({@code horkd_l2}, {@code horkd_objective}, ... and
 * their {@code _grad} twins): ND4J 1.0.0-M2.1 takes only the class from this table
 * ({@code DifferentialFunctionClassHolder.customOpClassForHashAndName}), builds it with the no-argument
 * constructor and restores its arguments before it next asks for {@code opName()}
 * ({@code FlatBuffersMapper.fromFlatNode}), and the name follows from the arguments.
 */
public final class HorkdOps {
    private HorkdOps() {}

    /** Every op by name, forward and backward. */
    public static Map<String, DifferentialFunction> all() {
        Map<String, DifferentialFunction> ops = new LinkedHashMap<>();
        for (String name : LossSpec.opNames()) {
            ops.put(name, new HorkdLossOp());
            ops.put(name + "_grad", new HorkdLossGradOp());
        }
        for (DifferentialFunction op : List.of(new BatchNormOp(), new BatchNormGradOp(), new ReluOp(), new ReluGradOp())) ops.put(op.opName(), op);
        return ops;
    }

    /** Idempotent. */
    static synchronized void register() {
        Map<String, DifferentialFunction> byName = ImportClassMapping.getOpNameMapping();
        all().forEach(byName::putIfAbsent);
    }
}
