package io.horkd.nd4j.nn;

import io.horkd.nd4j.JavaCustomOp;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code horkd_relu_grad}: {@code dx = dy * step(y)} for {@link ReluOp}'s output {@code y}: 1 where
 * {@code y > 0}, else 0 (at the kink too, as PyTorch's and ND4J's relu). ND4J's {@code step} into the output,
 * then {@code dy} multiplied in place: one array a step rather than the two of composing the ops in the graph.
 */
public class ReluGradOp extends JavaCustomOp {
    public static final String NAME = "horkd_relu_grad";

    public ReluGradOp() {}

    public ReluGradOp(SameDiff sd, SDVariable y, SDVariable dy) {
        super(sd, new SDVariable[] {y, dy});
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000051L;
    }

    @Override
    public boolean isLoss() {
        return false;
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        if (inputs.size() != 2) throw new IllegalArgumentException(NAME + " takes y and dy, got " + inputs.size() + " inputs");
        INDArray y = inputs.get(0);
        return List.of(LongShapeDescriptor.fromShape(y.shape(), inputs.get(1).dataType()));
    }

    @Override
    public void execute(List<INDArray> in, List<INDArray> out) {
        INDArray y = in.get(0);
        INDArray dy = in.get(1);
        if (!Arrays.equals(y.shape(), dy.shape())) {
            throw new IllegalArgumentException(NAME + ": dy " + Arrays.toString(dy.shape()) + " is not shaped like y " + Arrays.toString(y.shape()));
        }
        INDArray dx = out.get(0);
        Nd4j.exec(new Step(y, dx, 0.0));
        dx.muli(dy);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException(NAME + " has no second derivative");
    }
}
