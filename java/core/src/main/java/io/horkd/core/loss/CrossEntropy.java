package io.horkd.core.loss;

import io.horkd.core.tensor.Features;

/**
 * Cross-entropy of the student's logits {@code [B, m, C]} with the labels (class indices):
 * <pre>
 *   CE = 1/m sum_i ( logsumexp(s_i) - s_{i, y_i} ),   dCE/ds_i = ( softmax(s_i) - onehot(y_i) ) / m
 * </pre>
 * The network's own loss: in an objective so that a stage's whole loss has one description. The
 * teacher's logits are not read.
 */
public record CrossEntropy() implements Term {
    @Override
    public Reads reads() {
        return Reads.LOGITS;
    }

    @Override
    public void check(LossInput input) {
        if (input.labels() == null) {
            throw new IllegalArgumentException("CE needs labels [" + input.student().batch() + ", " + input.student().rows()
                    + "]");
        }
        input.labels().requireRange("labels", input.student().cols());
    }

    @Override
    public double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef) {
        return backend.crossEntropy(input.student(), input.labels(), gradS, coef);
    }
}
