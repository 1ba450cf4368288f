package io.horkd.core.loss;

import java.util.Objects;

/**
 * LC, the class-centre loss (order C):
 * <pre>
 *   LC = mean over samples i and classes c of ( |P g_i - u_c| - |f_i - u_c| )^2
 * </pre>
 * distances clamped as in L2. The centres {@code u_c} are teacher-space means of the teacher features:
 * <ul>
 *   <li>{@link Scope#DATASET} (default, the paper's): over the whole training set, from the frozen
 *       teacher, given in the input as {@link ClassCenters} (build them with {@link CenterAccumulator});
 *       this brings relations from outside the mini-batch;</li>
 *   <li>{@link Scope#BATCH}: per problem, from that mini-batch's teacher features and labels; classes
 *       absent from the batch are skipped and the mean runs over the classes present.</li>
 * </ul>
 */
public final class CenterLoss implements DistillationLoss {
    /** Where the class centres come from. */
    public enum Scope {
        DATASET,
        BATCH
    }

    private final Scope scope;

    private CenterLoss(Scope scope) {
        this.scope = Objects.requireNonNull(scope, "scope");
    }

    public static CenterLoss of(Scope scope) {
        return new CenterLoss(scope);
    }

    /** Dataset-level centres (the paper's LC); the input must carry {@link ClassCenters}. */
    public static CenterLoss dataset() {
        return new CenterLoss(Scope.DATASET);
    }

    /** Centres of each mini-batch; the input must carry labels. */
    public static CenterLoss batch() {
        return new CenterLoss(Scope.BATCH);
    }

    public Scope scope() {
        return scope;
    }

    @Override
    public String name() {
        return "lc";
    }

    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return HybridLoss.single(this).computeTerm(backend, input, grad, HybridLoss.Term.LC);
    }

    @Override
    public String toString() {
        return "CenterLoss[" + scope + "]";
    }
}
