package io.horkd.nd4j.nn;

import io.horkd.nd4j.JavaCustomOp;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code horkd_relu}: {@code y = max(x, 0)}, ND4J's own {@code relu} forward, with the gradient
 * {@code dx = dy * step(y)} from two ND4J ops into one output ({@link ReluGradOp}). ND4J 1.0.0-M2.1
 * differentiates its {@code relu} with {@code thresholdedrelu_bp}, which took 7.1-7.8 ms on a
 * {@code [128, 16, 28, 28]} float array on 2 cores where {@code step} and {@code multiply} take 1.0-1.3 ms
 * together, with the same bits (and the forward 0.4-0.7 ms): 13% of the ResNet-14 teacher's training step
 * (benchmarks/RESULTS.md, "A training step against PyTorch"). {@code step(y) = 1} exactly where
 * {@code x > 0}, as for {@code thresholdedrelu_bp}.
 * Build it with {@link #apply}.
 */
public class ReluOp extends JavaCustomOp {
    public static final String NAME = "horkd_relu";

    public ReluOp() {}

    public ReluOp(SameDiff sd, SDVariable x) {
        super(sd, new SDVariable[] {x});
    }

    /** {@code max(x, 0)} as variable {@code name}. */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x) {
        return new ReluOp(sd, x).outputVariable().rename(name);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000050L;
    }

    @Override
    public boolean isLoss() {
        return false;
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        if (inputs.size() != 1) throw new IllegalArgumentException(NAME + " takes one input, got " + inputs.size());
        INDArray x = inputs.get(0);
        return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
    }

    @Override
    public void execute(List<INDArray> in, List<INDArray> out) {
        INDArray x = in.get(0);
        if (!x.dataType().isFPType()) throw new IllegalArgumentException(NAME + ": x must be floating point, got " + x.dataType());
        if (!Arrays.equals(x.shape(), out.get(0).shape())) {
            throw new IllegalArgumentException(NAME + ": output " + Arrays.toString(out.get(0).shape()) + " is not shaped like x "
                    + Arrays.toString(x.shape()));
        }
        Nd4j.exec(new RectifiedLinear(x, out.get(0), 0.0));
    }

    /** dx = dy * step(y), by {@link ReluGradOp}. */
    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return List.of(new ReluGradOp(sameDiff, outputVariable(), gradients.get(0)).outputVariable());
    }
}
