package io.horkd.train.stage;

import java.util.List;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * Keeps one variable's value from a training step's forward pass. SameDiff's fit returns no outputs, so
 * what a stage reports or feeds on is taken here: the logits, for the step's cross-entropy (fit computes
 * no loss value: softmax cross-entropy's backward starts from the logits), and the pooled features, for the
 * discriminator's step.
 */
final class StepOutput extends BaseListener {
    private final String name;
    private INDArray value;

    StepOutput(String name) {
        this.name = name;
    }

    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    @Override
    public void opExecution(SameDiff sd, At at, org.nd4j.linalg.dataset.api.MultiDataSet batch, SameDiffOp op, OpContext context,
            INDArray[] outputs) {
        List<String> names = op.getOutputsOfOp();
        int i = names == null ? -1 : names.indexOf(name);
        if (i >= 0) value = outputs[i].dup();
    }

    /** Forgets the last step's value (before a step). */
    void reset() {
        value = null;
    }

    /** The last step's value, or null where no step ran since {@link #reset}. */
    INDArray last() {
        return value;
    }

    /** The mean cross-entropy of the last step's logits (this listener's variable) against {@code oneHot}; NaN where no step ran. */
    double crossEntropy(INDArray oneHot) {
        return value == null ? Double.NaN : crossEntropy(value, oneHot);
    }

    /** Mean cross-entropy of logits against one-hot labels, in float64. */
    static double crossEntropy(INDArray logits, INDArray oneHot) {
        double[][] z = logits.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] y = oneHot.castTo(DataType.DOUBLE).toDoubleMatrix();
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) max = Math.max(max, v);
            double lse = 0;
            for (double v : z[i]) lse += Math.exp(v - max);
            lse = Math.log(lse) + max;
            for (int k = 0; k < z[i].length; k++) sum += y[i][k] * (lse - z[i][k]);
        }
        return sum / z.length;
    }
}
