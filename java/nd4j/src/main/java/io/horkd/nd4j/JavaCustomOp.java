package io.horkd.nd4j;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * What every Java-implemented op must tell ND4J 1.0.0-M2.1 in place of libnd4j: no native descriptor,
 * output shapes from {@link JavaOp#outputShapes} (SameDiff asks the op itself before it allocates the
 * outputs), no properties beyond the t/i/b/d/s arguments (the only ones serialisation keeps), and a
 * stable hash of its own. By default an op has one output of its first input's data type; ops with more
 * outputs override {@link #getNumOutputs()} and {@link #calculateOutputDataTypes}.
 */
public abstract class JavaCustomOp extends DynamicCustomOp implements JavaOp {
    /** For ND4J's deserialisation. */
    protected JavaCustomOp() {}

    /** Installs horkd's executioner before the op joins a graph. */
    protected JavaCustomOp(SameDiff sd, SDVariable[] inputs) {
        super(sd, installed(inputs));
    }

    private static SDVariable[] installed(SDVariable[] inputs) {
        HorkdNd4j.install();
        return inputs;
    }

    @Override
    public abstract long opHash();

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        return List.of(inputTypes.get(0));
    }

    @Override
    public CustomOpDescriptor getDescriptor() {
        return null;
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        return Collections.emptyMap();
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        return outputShapes(inputArguments());
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
        return outputShapes(oc != null ? oc.getInputArrays() : inputArguments());
    }
}
