package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_center_loss}: LC, the class-centre loss. See {@link HorkdLossOp}. */
public class CenterLossOp extends HorkdLossOp {
    public static final String NAME = "horkd_center_loss";

    public CenterLossOp() {}

    public CenterLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000016L;
    }

    @Override
    protected HorkdLossGradOp backward(SDVariable[] inputs, LossSpec spec) {
        return new CenterLossGradOp(sameDiff, inputs, spec);
    }
}
