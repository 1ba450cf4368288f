package io.horkd.nd4j.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation layers in SameDiff graphs ({@link BatchNormOp}), with a graph-wide training switch
 * in the spirit of PyTorch's {@code train()}/{@code eval()}:
 * <pre>{@code
 * SDVariable h = BatchNorm.apply(sd, "block1/bn", conv, 64);   // gamma, beta trained; running stats constants
 * BatchNorm.setTraining(sd, true);  sd.fit(...);                 // batch statistics, running stats updated
 * BatchNorm.setTraining(sd, false); sd.output(...);              // running statistics
 * }</pre>
 * The switch is the scalar constant {@value #TRAINING} of the graph (saved with it; 0 after loading a graph
 * saved in inference mode). Graphs start in inference mode.
 */
public final class BatchNorm {
    /** The name of the graph's training switch. */
    public static final String TRAINING = "horkd_bn_training";

    public static final double DEFAULT_EPS = 1e-5;
    public static final double DEFAULT_MOMENTUM = 0.1;

    private BatchNorm() {}

    /** {@link #apply(SameDiff, String, SDVariable, int, double, double)} with eps 1e-5 and momentum 0.1. */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x, int channels) {
        return apply(sd, name, x, channels, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    /**
     * Normalises {@code x} ({@code [N, C]} or {@code [N, C, H, W]}) per channel: variables
     * {@code name/gamma} (ones) and {@code name/beta} (zeros), constants {@code name/running_mean} (zeros)
     * and {@code name/running_var} (ones), output {@code name}.
     */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x, int channels, double eps, double momentum) {
        if (channels < 1) throw new IllegalArgumentException("channels must be positive, got " + channels);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be positive, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        DataType type = x.dataType().isFPType() ? x.dataType() : DataType.FLOAT;
        SDVariable gamma = sd.var(name + "/gamma", Nd4j.ones(type, channels));
        SDVariable beta = sd.var(name + "/beta", Nd4j.zeros(type, channels));
        SDVariable mean = sd.constant(name + "/running_mean", Nd4j.zeros(type, channels));
        SDVariable var = sd.constant(name + "/running_var", Nd4j.ones(type, channels));
        return new BatchNormOp(sd, x, gamma, beta, mean, var, trainingFlag(sd), eps, momentum).outputVariable().rename(name);
    }

    /** The graph's training switch, created (in inference mode) on first use. */
    public static SDVariable trainingFlag(SameDiff sd) {
        if (sd.hasVariable(TRAINING)) {
            SDVariable v = sd.getVariable(TRAINING);
            if (v.getVariableType() != VariableType.CONSTANT) {
                throw new IllegalStateException(TRAINING + " exists in this graph but is a " + v.getVariableType() + ", not a constant");
            }
            return v;
        }
        return sd.constant(TRAINING, Nd4j.scalar(DataType.FLOAT, 0f));
    }

    /** Batch statistics (and running-statistics updates) when true; running statistics when false. */
    public static void setTraining(SameDiff sd, boolean training) {
        if (!sd.hasVariable(TRAINING)) return; // no batch norm in this graph
        sd.getVariable(TRAINING).getArr().assign(training ? 1 : 0);
    }

    /** Whether the graph's batch norms run in training mode. */
    public static boolean isTraining(SameDiff sd) {
        return sd.hasVariable(TRAINING) && sd.getVariable(TRAINING).getArr().getDouble(0) != 0;
    }
}
