package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_distance_loss_grad}: the backward op of {@link DistanceLossOp}. */
public class DistanceLossGradOp extends HorkdLossGradOp {
    public static final String NAME = "horkd_distance_loss_grad";

    public DistanceLossGradOp() {}

    public DistanceLossGradOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000013L;
    }
}
