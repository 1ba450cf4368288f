package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.tensor.Shapes;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hybrid-order relational loss {@code L = w1 L1 + alpha L2 + beta L3 + gamma LC} (the paper's total
 * without the cross-entropy, which belongs to the network). A term whose weight is 0 costs nothing.
 *
 * <pre>{@code
 *   HybridLoss loss = HybridLoss.builder().distance(0.02).angle(0.01).center(1.0).build();
 *   HybridLoss.Values v = loss.computeTerms(Backends.auto(), LossInput.of(student, teacher)
 *           .withCenters(centers), GradientSink.into(studentGrad));
 * }</pre>
 *
 * <p>This class is also the one place where inputs are validated and dispatched to a backend: the
 * single losses ({@link DistanceLoss} and the others) run as a hybrid of one term, so they all reject
 * bad input with the same messages and never write a gradient before everything has been checked.
 */
public final class HybridLoss implements DistillationLoss {
    private static final Logger LOG = LoggerFactory.getLogger(HybridLoss.class);
    private static final AtomicBoolean WARNED_L2 = new AtomicBoolean();
    private static final AtomicBoolean WARNED_L3 = new AtomicBoolean();

    /** The four terms. */
    public enum Term {
        L1,
        L2,
        L3,
        LC
    }

    private final double[] weights = new double[4];
    private final PointwiseLoss pointwise;
    private final DistanceLoss distance;
    private final AngleLoss angle;
    private final CenterLoss center;

    private HybridLoss(Builder b) {
        weights[Term.L1.ordinal()] = b.w1;
        weights[Term.L2.ordinal()] = b.alpha;
        weights[Term.L3.ordinal()] = b.beta;
        weights[Term.LC.ordinal()] = b.gamma;
        this.pointwise = b.pointwise;
        this.distance = b.distance;
        this.angle = b.angle;
        this.center = b.center;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The paper's weights ({@code w1 = 1, alpha = 0.02, beta = 0.01, gamma = 1}) with its definitions
     * (MAE, square distance loss, paper reductions, dataset centres).
     */
    public static HybridLoss paper() {
        return builder().pointwise(1.0).distance(0.02).angle(0.01).center(1.0).build();
    }

    /** The best student of the paper's ablation: {@link #paper()} without L1. */
    public static HybridLoss paperWithoutPointwise() {
        return builder().distance(0.02).angle(0.01).center(1.0).build();
    }

    /** A hybrid of one term with weight 1: how the single losses run. */
    static HybridLoss single(DistillationLoss term) {
        Builder b = builder();
        if (term instanceof PointwiseLoss p) b.pointwise(1.0, p);
        else if (term instanceof DistanceLoss d) b.distance(1.0, d);
        else if (term instanceof AngleLoss a) b.angle(1.0, a);
        else if (term instanceof CenterLoss c) b.center(1.0, c);
        else throw new IllegalArgumentException("not a hybrid term: " + term);
        return b.build();
    }

    public double weight(Term term) {
        return weights[term.ordinal()];
    }

    /** True iff the term has a positive weight (and so is computed). */
    public boolean isActive(Term term) {
        return weights[term.ordinal()] > 0;
    }

    public PointwiseLoss pointwise() {
        return pointwise;
    }

    public DistanceLoss distance() {
        return distance;
    }

    public AngleLoss angle() {
        return angle;
    }

    public CenterLoss center() {
        return center;
    }

    @Override
    public String name() {
        return "hybrid";
    }

    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return computeTerms(backend, input, grad).total();
    }

    /** The value of one term (for the single losses). */
    double[] computeTerm(LossBackend backend, LossInput input, GradientSink grad, Term term) {
        return computeTerms(backend, input, grad).term(term);
    }

    /**
     * Every term's unweighted value per problem and the weighted total; the gradient of the total (times
     * the upstream scales) into {@code grad} if it is not null.
     */
    public Values computeTerms(LossBackend backend, LossInput input, GradientSink grad) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(input, "input");
        Features s = input.student();
        Features t = input.teacher();
        int batch = s.batch();
        int m = s.rows();
        boolean l1 = isActive(Term.L1);
        boolean l2 = isActive(Term.L2);
        boolean l3 = isActive(Term.L3);
        boolean lc = isActive(Term.LC);

        // 1. Validate everything before any write.
        Context ctx = validate(input);
        Projection p = input.projection();
        Labels labels = input.labels();
        ClassCenters centers = input.centers();
        boolean batchCenters = ctx.batchCenters;
        boolean usesProjection = ctx.usesProjection;
        Features gS = null;
        Features gP = null;
        if (grad != null) {
            gS = grad.student();
            Shapes.requireSameShape("student gradient", gS, "student", s);
            if (grad.projection() != null) {
                if (p == null) throw new IllegalArgumentException("a projection gradient was given without a projection");
                Shapes.requireSameShape("projection gradient", grad.projection(), "projection", p.weights());
                gP = grad.projection();
            }
            double[] up = grad.upstreamOrNull();
            if (up != null && up.length != batch) {
                throw new IllegalArgumentException("upstream has " + up.length + " scales for " + batch + " problems");
            }
        }

        // 2. Degenerate batch sizes are decided here, once for every backend.
        if (l2 && m < 2) {
            warnOnce(WARNED_L2, "L2 needs m >= 2 samples per problem, got m = " + m + ": the loss is 0");
            l2 = false;
        }
        if (l3 && m < 3) {
            warnOnce(WARNED_L3, "L3 needs m >= 3 samples per problem, got m = " + m + ": the loss is 0");
            l3 = false;
        }

        // 3. Dispatch; every backend call adds coef[b] * dL_b/dx to the targets.
        if (grad != null && !grad.isAccumulating()) {
            gS.fillZero();
            if (gP != null) gP.fillZero();
        }
        double[][] values = new double[4][];
        if (l1) {
            values[Term.L1.ordinal()] = backend.pointwise(pointwise, s, t, p, gS, usesProjection ? gP : null,
                    coef(Term.L1, grad, batch));
        }
        if (l2 || l3) {
            double[][] rel = backend.relational(l2 ? distance : null, l2 ? coef(Term.L2, grad, batch) : null,
                    l3 ? angle : null, l3 ? coef(Term.L3, grad, batch) : null, s, t, gS);
            values[Term.L2.ordinal()] = rel[0];
            values[Term.L3.ordinal()] = rel[1];
        }
        if (lc) {
            values[Term.LC.ordinal()] = backend.center(center, s, t, labels, batchCenters ? null : centers, p, gS,
                    usesProjection ? gP : null, coef(Term.LC, grad, batch));
        }
        double[] total = new double[batch];
        for (Term term : Term.values()) {
            double[] v = values[term.ordinal()];
            if (v == null) {
                values[term.ordinal()] = new double[batch];
                continue;
            }
            for (int b = 0; b < batch; b++) total[b] += weight(term) * v[b];
        }
        return new Values(values, total);
    }

    /** What validation found out about an input. */
    private record Context(boolean batchCenters, boolean usesProjection) {}

    /**
     * Checks everything {@link #computeTerms} checks about the input (shapes, widths, projection, labels
     * and their range, centres, finiteness), for the active terms, and throws the same named
     * exceptions. For callers that compute the losses elsewhere (ND4J's float64 ops).
     */
    public void check(LossInput input) {
        validate(input);
    }

    private Context validate(LossInput input) {
        Features s = input.student();
        Features t = input.teacher();
        int batch = s.batch();
        int m = s.rows();
        boolean l1 = isActive(Term.L1);
        boolean lc = isActive(Term.LC);
        Shapes.requireSameRows("student", s, "teacher", t);
        Projection p = input.projection();
        if (p != null) {
            if (p.outDim() != t.cols() || p.inDim() != s.cols()) {
                throw new IllegalArgumentException("projection " + Shapes.format(p.outDim(), p.inDim())
                        + " must map the student width " + s.cols() + " to the teacher width " + t.cols() + ": expected "
                        + Shapes.format(t.cols(), s.cols()));
            }
        } else if ((l1 || lc) && s.cols() != t.cols()) {
            throw new IllegalArgumentException("student " + s.shape() + " and teacher " + t.shape() + " differ in width ("
                    + s.cols() + " vs " + t.cols() + "): " + (l1 ? "L1" : "LC") + " needs a projection of shape "
                    + Shapes.format(t.cols(), s.cols()));
        }
        Labels labels = input.labels();
        ClassCenters centers = input.centers();
        int numClasses = input.numClasses();
        if (centers != null) {
            if (centers.dim() != t.cols()) {
                throw new IllegalArgumentException("centers " + Shapes.format(centers.numClasses(), centers.dim())
                        + " must have the teacher width " + t.cols());
            }
            if (numClasses != 0 && numClasses != centers.numClasses()) {
                throw new IllegalArgumentException("labels were declared with " + numClasses + " classes but centers "
                        + Shapes.format(centers.numClasses(), centers.dim()) + " have " + centers.numClasses());
            }
            numClasses = centers.numClasses();
        }
        if (labels != null) {
            labels.requireMatches("labels", "student", s);
            labels.requireRange("labels", numClasses);
        }
        boolean batchCenters = lc && center.scope() == CenterLoss.Scope.BATCH;
        if (lc) {
            if (batchCenters && labels == null) {
                throw new IllegalArgumentException("LC with batch-scope centres needs labels [" + batch + ", " + m + "]");
            }
            if (!batchCenters && centers == null) {
                throw new IllegalArgumentException("LC with dataset-scope centres needs class centers [C, " + t.cols()
                        + "] (see CenterAccumulator), or batch scope with labels");
            }
        }
        s.requireFinite("student");
        t.requireFinite("teacher");
        boolean usesProjection = p != null && (l1 || lc);
        if (usesProjection) p.weights().requireFinite("projection");
        if (lc && !batchCenters) centers.values().requireFinite("centers");
        return new Context(batchCenters, usesProjection);
    }

    private double[] coef(Term term, GradientSink grad, int batch) {
        double[] c = new double[batch];
        for (int b = 0; b < batch; b++) c[b] = weight(term) * (grad == null ? 1.0 : grad.upstream(b));
        return c;
    }

    private static void warnOnce(AtomicBoolean flag, String message) {
        if (flag.compareAndSet(false, true)) LOG.warn(message);
    }

    @Override
    public String toString() {
        return "HybridLoss[w1=" + weight(Term.L1) + " " + pointwise + ", alpha=" + weight(Term.L2) + " " + distance
                + ", beta=" + weight(Term.L3) + " " + angle + ", gamma=" + weight(Term.LC) + " " + center + "]";
    }

    /** Unweighted values of each term per problem (0 for inactive terms) and the weighted total. */
    public static final class Values {
        private final double[][] terms;
        private final double[] total;

        Values(double[][] terms, double[] total) {
            this.terms = terms;
            this.total = total;
        }

        /** Per-problem values of {@code term}. */
        public double[] term(Term term) {
            return terms[term.ordinal()].clone();
        }

        /** Sum over problems of {@code term}. */
        public double sum(Term term) {
            double s = 0;
            for (double v : terms[term.ordinal()]) s += v;
            return s;
        }

        /** Per-problem weighted totals. */
        public double[] total() {
            return total.clone();
        }

        /** Sum over problems of the weighted total. */
        public double totalSum() {
            double s = 0;
            for (double v : total) s += v;
            return s;
        }
    }

    /** Weights and definitions of the four terms; every term starts at weight 0 (off). */
    public static final class Builder {
        private double w1;
        private double alpha;
        private double beta;
        private double gamma;
        private PointwiseLoss pointwise = PointwiseLoss.mae();
        private DistanceLoss distance = DistanceLoss.paper();
        private AngleLoss angle = AngleLoss.paper();
        private CenterLoss center = CenterLoss.dataset();

        private Builder() {}

        /** L1 (MAE) with weight {@code w1}. */
        public Builder pointwise(double w1) {
            this.w1 = checkWeight("w1", w1);
            return this;
        }

        public Builder pointwise(double w1, PointwiseLoss loss) {
            this.pointwise = Objects.requireNonNull(loss, "pointwise");
            return pointwise(w1);
        }

        /** L2 (square, paper reduction) with weight {@code alpha}. */
        public Builder distance(double alpha) {
            this.alpha = checkWeight("alpha", alpha);
            return this;
        }

        public Builder distance(double alpha, DistanceLoss loss) {
            this.distance = Objects.requireNonNull(loss, "distance");
            return distance(alpha);
        }

        /** L3 (paper reduction) with weight {@code beta}. */
        public Builder angle(double beta) {
            this.beta = checkWeight("beta", beta);
            return this;
        }

        public Builder angle(double beta, AngleLoss loss) {
            this.angle = Objects.requireNonNull(loss, "angle");
            return angle(beta);
        }

        /** LC (dataset centres) with weight {@code gamma}. */
        public Builder center(double gamma) {
            this.gamma = checkWeight("gamma", gamma);
            return this;
        }

        public Builder center(double gamma, CenterLoss loss) {
            this.center = Objects.requireNonNull(loss, "center");
            return center(gamma);
        }

        private static double checkWeight(String name, double w) {
            if (!Double.isFinite(w) || w < 0) {
                throw new IllegalArgumentException("weight " + name + " must be finite and >= 0, got " + w);
            }
            return w;
        }

        public HybridLoss build() {
            return new HybridLoss(this);
        }
    }
}
