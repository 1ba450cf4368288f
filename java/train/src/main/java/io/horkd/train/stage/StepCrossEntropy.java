package io.horkd.train.stage;

import io.horkd.train.model.ResNet;
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
 * The cross-entropy of a training step, the metric a stage reports. SameDiff's fit computes no loss value
 * (the gradient does not need it: softmax cross-entropy's backward starts from the logits), so this
 * listener keeps the step's logits and the cross-entropy is computed from them, in float64.
 */
final class StepCrossEntropy extends BaseListener {
    private INDArray logits;

    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    @Override
    public void opExecution(SameDiff sd, At at, org.nd4j.linalg.dataset.api.MultiDataSet batch, SameDiffOp op, OpContext context,
            INDArray[] outputs) {
        List<String> names = op.getOutputsOfOp();
        int i = names == null ? -1 : names.indexOf(ResNet.LOGITS);
        if (i >= 0) logits = outputs[i].dup();
    }

    /** Forgets the last step's logits (before a step). */
    void reset() {
        logits = null;
    }

    /** The last step's mean cross-entropy against {@code oneHot}; NaN where no step ran. */
    double of(INDArray oneHot) {
        return logits == null ? Double.NaN : crossEntropy(logits, oneHot);
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
