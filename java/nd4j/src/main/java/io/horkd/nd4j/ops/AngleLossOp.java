package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_angle_loss}: L3, the triplet-angle loss. See {@link HorkdLossOp}. */
public class AngleLossOp extends HorkdLossOp {
    public static final String NAME = "horkd_angle_loss";

    public AngleLossOp() {}

    public AngleLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000014L;
    }

    @Override
    protected HorkdLossGradOp backward(SDVariable[] inputs, LossSpec spec) {
        return new AngleLossGradOp(sameDiff, inputs, spec);
    }
}
