package io.horkd.nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's CPU op executioner, plus horkd's ops: a {@link JavaOp} is computed in Java, every other op goes
 * to libnd4j as before. ND4J 1.0.0-M2.1 has no other way to run a Java op inside SameDiff.
 *
 * <p>ND4J instantiates its executioner once, from the {@code opexec} property, when it first initialises;
 * {@link HorkdNd4j#install()} sets that property. horkd's ops must also be registered by name for graphs
 * that contain them to load (and to clone for gradients). That cannot happen in the constructor: ND4J
 * builds its executioner before its array factory, and registering instantiates ops that need the
 * factory. It happens in {@link #getCustomOperations()} instead, which ND4J's op-class registry calls
 * before it resolves any op of a loaded graph.
 */
public class HorkdOpExecutioner extends NativeOpExecutioner {
    /** Nanoseconds spent computing horkd's ops, and their count, since the JVM started. */
    private static final LongAdder NANOS = new LongAdder();
    private static final LongAdder CALLS = new LongAdder();

    private volatile boolean registered;

    /**
     * Time spent inside horkd's loss ops (forward and backward; not batch norm) in this JVM so far, in nanoseconds: divided by
     * a training step's time, the distillation loss's share of the step, measured in the same steps
     * (two {@code System.nanoTime} calls per op).
     */
    public static long nanosInHorkdOps() {
        return NANOS.sum();
    }

    /** The number of horkd loss-op executions in this JVM so far. */
    public static long horkdOpCalls() {
        return CALLS.sum();
    }

    private static void timed(JavaOp op, List<INDArray> inputs, List<INDArray> outputs) {
        if (!op.isLoss()) {
            op.execute(inputs, outputs);
            return;
        }
        long t0 = System.nanoTime();
        try {
            op.execute(inputs, outputs);
        } finally {
            NANOS.add(System.nanoTime() - t0);
            CALLS.increment();
        }
    }

    @Override
    public Map<String, CustomOpDescriptor> getCustomOperations() {
        Map<String, CustomOpDescriptor> ops = super.getCustomOperations();
        if (!registered && Nd4j.factory() != null) { // null while ND4J is still initialising
            registered = true;
            HorkdOps.register();
        }
        return ops;
    }

    @Override
    public INDArray[] exec(CustomOp op) {
        if (!(op instanceof JavaOp javaOp)) return super.exec(op);
        List<INDArray> outputs = new ArrayList<>(op.outputArguments());
        if (outputs.isEmpty()) {
            for (LongShapeDescriptor d : javaOp.outputShapes(op.inputArguments())) {
                INDArray out = Nd4j.create(d, false);
                op.addOutputArgument(out);
                outputs.add(out);
            }
        }
        timed(javaOp, op.inputArguments(), outputs);
        return outputs.toArray(new INDArray[0]);
    }

    @Override
    public INDArray[] exec(CustomOp op, OpContext context) {
        if (!(op instanceof JavaOp javaOp)) return super.exec(op, context);
        List<INDArray> outputs = context.getOutputArrays();
        timed(javaOp, context.getInputArrays(), outputs);
        return outputs.toArray(new INDArray[0]);
    }

    @Override
    public CustomOp execAndReturn(CustomOp op) {
        if (!(op instanceof JavaOp)) return super.execAndReturn(op);
        exec(op);
        return op;
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape(CustomOp op) {
        if (op instanceof JavaOp javaOp) return javaOp.outputShapes(op.inputArguments());
        return super.calculateOutputShape(op);
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape(CustomOp op, OpContext context) {
        if (op instanceof JavaOp javaOp) {
            return javaOp.outputShapes(context != null ? context.getInputArrays() : op.inputArguments());
        }
        return super.calculateOutputShape(op, context);
    }
}
