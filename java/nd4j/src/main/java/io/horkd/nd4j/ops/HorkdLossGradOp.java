package io.horkd.nd4j.ops;

import io.horkd.nd4j.JavaCustomOp;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * The backward op of {@link HorkdLossOp}, named as its forward op plus {@code _grad}: inputs are the
 * forward op's inputs plus dOut/dL (shaped like the forward output); outputs are dOut/dstudent and,
 * with a projection, dOut/dP.
 */
public class HorkdLossGradOp extends JavaCustomOp {
    private LossSpec spec;

    public HorkdLossGradOp() {}

    static HorkdLossGradOp of(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        HorkdLossOp.CONSTRUCTING.set(spec);
        try {
            return new HorkdLossGradOp(sd, inputs, spec);
        } finally {
            HorkdLossOp.CONSTRUCTING.remove();
        }
    }

    private HorkdLossGradOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs);
        this.spec = spec;
        addIArgument(spec.iArgs());
        addTArgument(spec.tArgs());
    }

    private LossSpec spec() {
        if (spec == null && iArgs().length > 0) spec = LossSpec.fromArgs(iArgs(), tArgs());
        return spec;
    }

    @Override
    public String opName() {
        LossSpec s = spec != null ? spec : HorkdLossOp.CONSTRUCTING.get() != null ? HorkdLossOp.CONSTRUCTING.get() : spec();
        return (s == null ? "horkd_loss" : s.opName()) + "_grad";
    }

    @Override
    public long opHash() {
        return HorkdLossOp.hash(opName());
    }

    @Override
    public void configureFromArguments() {
        spec = LossSpec.fromArgs(iArgs(), tArgs());
    }

    @Override
    public int getNumOutputs() {
        return spec().hasProjection() ? 2 : 1;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        List<DataType> out = new ArrayList<>(List.of(inputTypes.get(0)));
        if (spec().hasProjection()) out.add(inputTypes.get(spec().projectionIndex()));
        return out;
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        INDArray s = inputs.get(0);
        List<LongShapeDescriptor> out = new ArrayList<>(List.of(LongShapeDescriptor.fromShape(s.shape(), s.dataType())));
        if (spec().hasProjection()) {
            INDArray p = inputs.get(spec().projectionIndex());
            out.add(LongShapeDescriptor.fromShape(p.shape(), p.dataType()));
        }
        return out;
    }

    @Override
    public void execute(List<INDArray> inputs, List<INDArray> outputs) {
        LossSpec sp = spec();
        List<INDArray> forwardInputs = inputs.subList(0, sp.inputCount());
        INDArray upstream = inputs.get(sp.inputCount());
        LossComputation.backward(sp, forwardInputs, upstream, outputs.get(0), sp.hasProjection() ? outputs.get(1) : null);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException(opName() + " has no second derivative");
    }
}
