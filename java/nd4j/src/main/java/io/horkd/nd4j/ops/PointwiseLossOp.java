package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_pointwise_loss}: L1, the point-wise loss. See {@link HorkdLossOp}. */
public class PointwiseLossOp extends HorkdLossOp {
    public static final String NAME = "horkd_pointwise_loss";

    public PointwiseLossOp() {}

    public PointwiseLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000018L;
    }

    @Override
    protected HorkdLossGradOp backward(SDVariable[] inputs, LossSpec spec) {
        return new PointwiseLossGradOp(sameDiff, inputs, spec);
    }
}
