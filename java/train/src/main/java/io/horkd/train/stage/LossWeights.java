package io.horkd.train.stage;

/**
 * The weights of a stage's loss: {@code ce CE + w1 L1 + alpha L2 + beta L3 + gamma LC + kd KD_T}
 * (docs/LOSSES.md). A weight of 0 leaves the term out of the graph. {@code batchCenters}: LC against the
 * mini-batch's class centres instead of the dataset's.
 */
public record LossWeights(double ce, double w1, double alpha, double beta, double gamma, boolean batchCenters, double kd,
        double temperature) {
    /** Cross-entropy only (a teacher, or a student from scratch). */
    public static final LossWeights CE_ONLY = new LossWeights(1, 0, 0, 0, 0, false, 0, 4);

    /** The paper's HORKD weights: w1 = 0 (its ablation's best), alpha 0.02, beta 0.01, gamma 1. */
    public static final LossWeights HORKD = new LossWeights(1, 0, 0.02, 0.01, 1, false, 0, 4);

    /** RKD: L2 and L3 with the paper's weights, no centres. */
    public static final LossWeights RKD = new LossWeights(1, 0, 0.02, 0.01, 0, false, 0, 4);

    /** Hinton's KD at temperature 4 with weight 1 (plus CE). */
    public static final LossWeights KD = new LossWeights(1, 0, 0, 0, 0, false, 1, 4);

    public LossWeights {
        double[] w = {ce, w1, alpha, beta, gamma, kd};
        for (double v : w) {
            if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("loss weights must be finite and >= 0, got " + this);
        }
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    }

    /** Whether any term needs the teacher's features. */
    public boolean needsTeacherFeatures() {
        return w1 > 0 || alpha > 0 || beta > 0 || gamma > 0;
    }

    /** Whether any term needs a teacher at all. */
    public boolean needsTeacher() {
        return needsTeacherFeatures() || kd > 0;
    }

    public LossWeights withCe(double v) {
        return new LossWeights(v, w1, alpha, beta, gamma, batchCenters, kd, temperature);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        append(s, "CE", ce);
        append(s, "L1", w1);
        append(s, "L2", alpha);
        append(s, "L3", beta);
        append(s, batchCenters ? "LC(batch)" : "LC", gamma);
        append(s, "KD(T=" + temperature + ")", kd);
        return s.isEmpty() ? "0" : s.toString();
    }

    private static void append(StringBuilder s, String name, double w) {
        if (w == 0) return;
        if (!s.isEmpty()) s.append(" + ");
        s.append(w == 1 ? "" : w + " ").append(name);
    }
}
