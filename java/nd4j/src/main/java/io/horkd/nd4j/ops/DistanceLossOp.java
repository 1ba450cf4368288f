package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_distance_loss}: L2, the normalised pairwise-distance loss. See {@link HorkdLossOp}. */
public class DistanceLossOp extends HorkdLossOp {
    public static final String NAME = "horkd_distance_loss";

    public DistanceLossOp() {}

    public DistanceLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000012L;
    }

    @Override
    protected HorkdLossGradOp backward(SDVariable[] inputs, LossSpec spec) {
        return new DistanceLossGradOp(sameDiff, inputs, spec);
    }
}
