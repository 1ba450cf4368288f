package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import java.util.List;

/**
 * One term of a distillation {@link Objective}: an immutable record whose components are its options
 * (enums and numbers, so that every codec of an objective handles every term the same way), listed
 * once in {@link Terms}. A term owns its validation ({@link #check}) and its dispatch to a backend
 * ({@link #run}); the objective only weighs and sums terms.
 *
 * <p>Adding a method means: one record implementing this interface, its backend entry and tests, and
 * one line in {@link Terms#KINDS}.
 */
public interface Term extends DistillationLoss {
    /** What a term compares: pooled features, the logits, or stage outputs (feature maps, {@link LossInput#maps}). */
    enum Reads {
        FEATURES,
        LOGITS,
        MAPS
    }

    /** Its kind: key, stable id, defaults. */
    default TermKind<?> kind() {
        return Terms.kindOf(this);
    }

    /** Its key in every codec ({@code l2}, {@code kd}, ...). */
    @Override
    default String name() {
        return kind().key();
    }

    /** What it reads: the pooled features unless it says otherwise. */
    default Reads reads() {
        return Reads.FEATURES;
    }

    /**
     * Throws, naming the argument, when the input lacks what this term needs (labels, centres, a
     * projection, equal shapes) or holds it in a form the term cannot take. Everything the input holds
     * has already passed {@link LossInput#checkGiven}; a term that needs nothing more keeps this default.
     */
    default void check(LossInput input) {}

    /**
     * The term's unweighted value per problem; adds {@code coef[b] * dL_b/dx} to the gradient targets
     * when they are not null ({@code gradP}: only where the term uses the projection). Called only after
     * {@link #check}.
     */
    double[] run(LossBackend backend, LossInput input, Features gradS, Features gradP, double[] coef);

    /** The term alone with weight 1. */
    @Override
    default double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return TermRunner.run(List.of(new Objective.Weighted(1, this)), backend, input, grad).total();
    }

    /** A term on stage outputs ({@link Reads#MAPS}): which of a stream's stages it reads. */
    interface OnStages extends Term {
        @Override
        default Reads reads() {
            return Reads.MAPS;
        }

        /** Its option: 0 for the method's default stages, k for the k-th. */
        int stage();

        /** The 1-based stages of a stream of {@code count} stages this term reads. */
        int[] stages(int count);

        /** {@code stage()} itself, checked against {@code count}. */
        default int[] chosen(int count) {
            if (stage() > count) {
                throw new IllegalArgumentException(name() + "(stage=" + stage() + "): the stream has " + count + " stages");
            }
            return new int[] {stage()};
        }

        /** {@code stage()} where it is set, else every stage {@code 1..count}. */
        default int[] chosenOrEvery(int count) {
            if (stage() != 0) return chosen(count);
            int[] all = new int[count];
            for (int k = 0; k < count; k++) all[k] = k + 1;
            return all;
        }
    }

    /** A term that one backend call computes together with another (L2 with L3: they share Gram matrices). */
    interface Fusing extends Term {
        boolean fusesWith(Term other);

        /** {@code {this term's values, the other's}}, gradients as in {@link #run}. */
        double[][] runWith(Term other, LossBackend backend, LossInput input, Features gradS, double[] coef,
                double[] otherCoef);
    }
}
