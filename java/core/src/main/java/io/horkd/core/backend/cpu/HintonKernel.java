package io.horkd.core.backend.cpu;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;

/**
 * The softmax losses per row, O(m C) work done in double (the exponentials are the only cost):
 * Hinton KD, {@code T^2/m KL(softmax(t/T) || softmax(s/T))} with gradient {@code T/m (p_s - p_t)}, and
 * cross-entropy, {@code 1/m sum_i -log softmax(s_i)_{y_i}} with gradient {@code (p_s - onehot(y)) / m}.
 */
public final class HintonKernel {
    private HintonKernel() {}

    static double[] run(double temperature, Features s, Features t, Features gradS, double[] coef) {
        int batch = s.batch();
        int m = s.rows();
        int classes = s.cols();
        double[] values = new double[batch];
        double[] logPs = new double[classes];
        double[] logPt = new double[classes];
        double[][] dg = gradS == null ? null : new double[m][classes];
        for (int b = 0; b < batch; b++) {
            double value = 0;
            for (int i = 0; i < m; i++) {
                logSoftmax(s, b, i, temperature, logPs);
                logSoftmax(t, b, i, temperature, logPt);
                for (int c = 0; c < classes; c++) {
                    double pt = Math.exp(logPt[c]);
                    if (pt > 0) value += pt * (logPt[c] - logPs[c]);
                    if (dg != null) dg[i][c] = temperature / m * (Math.exp(logPs[c]) - pt);
                }
            }
            values[b] = temperature * temperature * value / m;
            if (dg != null) Gradients.add(gradS, b, dg, coef[b]);
        }
        return values;
    }

    /** Cross-entropy per problem; public for the CUDA backend, whose device has no kernel for it (O(m C) work). */
    public static double[] crossEntropy(Features s, Labels labels, Features gradS, double[] coef) {
        int batch = s.batch();
        int m = s.rows();
        int classes = s.cols();
        double[] values = new double[batch];
        double[] logP = new double[classes];
        double[][] dg = gradS == null ? null : new double[m][classes];
        for (int b = 0; b < batch; b++) {
            double value = 0;
            for (int i = 0; i < m; i++) {
                logSoftmax(s, b, i, 1, logP);
                int y = labels.get(b, i);
                value -= logP[y];
                if (dg != null) {
                    for (int c = 0; c < classes; c++) dg[i][c] = (Math.exp(logP[c]) - (c == y ? 1 : 0)) / m;
                }
            }
            values[b] = value / m;
            if (dg != null) Gradients.add(gradS, b, dg, coef[b]);
        }
        return values;
    }

    private static void logSoftmax(Features z, int b, int i, double temperature, double[] out) {
        int classes = z.cols();
        int at = z.index(b, i, 0);
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) max = Math.max(max, z.buffer().get(at + c) / temperature);
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Math.exp(z.buffer().get(at + c) / temperature - max);
        double logSum = Math.log(sum);
        for (int c = 0; c < classes; c++) out[c] = z.buffer().get(at + c) / temperature - max - logSum;
    }
}
