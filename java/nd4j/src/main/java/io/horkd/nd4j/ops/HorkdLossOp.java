package io.horkd.nd4j.ops;

import io.horkd.nd4j.JavaCustomOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * Base of horkd's loss ops: a forward op computing a {@link LossSpec}'s total (a scalar for
 * {@code [m, d]} features, {@code [B]} for {@code [B, m, d]}) and, through {@link #doDiff}, its
 * backward op. Concrete ops differ only in name (so graphs read well and load by name).
 */
public abstract class HorkdLossOp extends JavaCustomOp {
    protected LossSpec spec;

    /** For ND4J's deserialisation; the spec comes back from the arguments. */
    protected HorkdLossOp() {}

    protected HorkdLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs);
        if (inputs.length != spec.inputCount()) {
            throw new IllegalArgumentException(opName() + " takes " + spec.inputCount() + " inputs for " + spec + ", got "
                    + inputs.length);
        }
        this.spec = spec;
        addIArgument(spec.iArgs());
        addTArgument(spec.tArgs());
    }

    /** The backward op of this forward op. */
    protected abstract HorkdLossGradOp backward(SDVariable[] inputs, LossSpec spec);

    public LossSpec spec() {
        return spec;
    }

    @Override
    public void configureFromArguments() {
        spec = LossSpec.fromArgs(iArgs(), tArgs());
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        return LossComputation.valueShape(inputs.get(0));
    }

    @Override
    public void execute(List<INDArray> inputs, List<INDArray> outputs) {
        LossComputation.writeValues(LossComputation.forward(spec(inputs), inputs), outputs.get(0));
    }

    /** The spec, restored from the arguments where this instance was built by deserialisation. */
    LossSpec spec(List<INDArray> inputs) {
        if (spec == null) configureFromArguments();
        return spec;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        List<SDVariable> in = new ArrayList<>(Arrays.asList(args()));
        in.add(gradients.get(0));
        SDVariable[] grads = backward(in.toArray(new SDVariable[0]), spec).outputVariables();
        return Arrays.asList(grads); // student (and projection): the teacher, labels and centres get none
    }
}
