package io.horkd.nd4j.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code horkd_hybrid_loss}: the whole hybrid loss w1 L1 + alpha L2 + beta L3 + gamma LC, in one call (one Gram matrix per side for L2 and L3). See {@link HorkdLossOp}. */
public class HybridLossOp extends HorkdLossOp {
    public static final String NAME = "horkd_hybrid_loss";

    public HybridLossOp() {}

    public HybridLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs, spec);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000010L;
    }

    @Override
    protected HorkdLossGradOp backward(SDVariable[] inputs, LossSpec spec) {
        return new HybridLossGradOp(sameDiff, inputs, spec);
    }
}
