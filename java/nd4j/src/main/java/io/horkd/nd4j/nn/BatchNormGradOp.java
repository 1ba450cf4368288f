package io.horkd.nd4j.nn;

import io.horkd.nd4j.JavaCustomOp;
import io.horkd.nd4j.nn.BatchNormKernel.Layout;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * {@code horkd_batch_norm_grad}: the backward op of {@link BatchNormOp}. Inputs: the forward op's six, then
 * dy; outputs dx, dgamma, dbeta. Batch statistics are recomputed from x (bit-identical to the forward's),
 * not saved; the running statistics it reads in training mode are not used.
 */
public class BatchNormGradOp extends JavaCustomOp {
    public static final String NAME = "horkd_batch_norm_grad";

    public BatchNormGradOp() {}

    BatchNormGradOp(SameDiff sd, SDVariable[] forwardInputs, SDVariable dy, double eps) {
        super(sd, new SDVariable[] {forwardInputs[0], forwardInputs[1], forwardInputs[2], forwardInputs[3],
                forwardInputs[4], forwardInputs[5], dy});
        addTArgument(eps);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000041L;
    }

    @Override
    public boolean isLoss() {
        return false;
    }

    @Override
    public int getNumOutputs() {
        return 3;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        return List.of(inputTypes.get(0), inputTypes.get(1), inputTypes.get(2));
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> in) {
        INDArray x = in.get(0);
        INDArray g = in.get(1);
        INDArray b = in.get(2);
        return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()),
                LongShapeDescriptor.fromShape(g.shape(), g.dataType()), LongShapeDescriptor.fromShape(b.shape(), b.dataType()));
    }

    @Override
    public void execute(List<INDArray> in, List<INDArray> out) {
        Layout l = BatchNormOp.layout(opName(), in);
        INDArray dy = in.get(6);
        if (!java.util.Arrays.equals(dy.shape(), in.get(0).shape())) {
            throw new IllegalArgumentException(opName() + ": dy must be shaped like x " + java.util.Arrays.toString(in.get(0).shape())
                    + ", got " + java.util.Arrays.toString(dy.shape()));
        }
        DataType type = in.get(0).dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        BatchNormKernel.backward(Bufs.in(in.get(0), type), Bufs.in(in.get(1), type), Bufs.in(in.get(3), type),
                Bufs.in(in.get(4), type), BatchNormOp.training(in), tArgs()[0], l, Bufs.in(dy, type),
                Bufs.inPlace(out.get(0), "dx"), Bufs.inPlace(out.get(1), "dgamma"), Bufs.inPlace(out.get(2), "dbeta"));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException(opName() + " has no second derivative");
    }
}
