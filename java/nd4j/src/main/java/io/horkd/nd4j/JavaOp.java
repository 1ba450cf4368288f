package io.horkd.nd4j;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * An ND4J custom op implemented in Java: {@link HorkdOpExecutioner} runs it instead of asking libnd4j,
 * which does not know it (and would crash the JVM on an unknown op hash).
 */
public interface JavaOp {
    /** Shapes (and data types) of the outputs for these inputs. */
    List<LongShapeDescriptor> outputShapes(List<INDArray> inputs);

    /** Computes the outputs, writing every element of each given output array. */
    void execute(List<INDArray> inputs, List<INDArray> outputs);

    /** Whether {@link HorkdOpExecutioner#nanosInHorkdOps()} counts this op's time (the losses' share of a step). */
    default boolean isLoss() {
        return true;
    }
}
