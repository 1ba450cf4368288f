package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_hybrid_loss_grad}: the backward op of {@link HybridLossOp}. */
public class HybridLossGradOp extends HorkdLossGradOp {
    public static final String NAME = "horkd_hybrid_loss_grad";

    public HybridLossGradOp() {}

    public HybridLossGradOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000011L;
    }
}
