package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
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
public record CenterLoss(Scope scope) implements Term {
    /** Where the class centres come from. */
    public enum Scope {
        DATASET,
        BATCH
    }

    public CenterLoss {
        Objects.requireNonNull(scope, "scope");
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

    @Override
    public void check(LossInput input) {
        int batch = input.student().batch();
        int m = input.student().rows();
        if (scope == Scope.BATCH && input.labels() == null) {
            throw new IllegalArgumentException("LC with batch-scope centres needs labels [" + batch + ", " + m + "]");
        }
        if (scope == Scope.DATASET && input.centers() == null) {
            throw new IllegalArgumentException("LC with dataset-scope centres needs class centers [C, "
                    + input.teacher().cols() + "] (see CenterAccumulator), or batch scope with labels");
        }
        input.requireTeacherSpace("LC");
    }

    @Override
    public double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef) {
        return backend.center(this, input.student(), input.teacher(), input.labels(),
                scope == Scope.BATCH ? null : input.centers(), input.projection(), gradS, gradP, coef);
    }
}
