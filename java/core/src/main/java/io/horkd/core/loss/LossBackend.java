package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;

/**
 * The service a backend provides to the losses: the float64 reference, the fast float32 CPU backend and
 * the CUDA backend implement it, and the terms ({@link Term}) call it after validating everything, so each
 * method may assume:
 * <ul>
 *   <li>student {@code s} is {@code [B, m, ds]}, teacher {@code t} is {@code [B, m, dt]}, all values
 *       finite; labels, centres and projection present and consistent where the loss needs them;</li>
 *   <li>{@code m >= 2} for L2 and {@code m >= 3} for L3 (smaller problems never reach a backend);</li>
 *   <li>gradient targets are either null (value only) or shaped like what they differentiate;</li>
 *   <li>{@code coef[b]} scales problem {@code b}'s gradient (the term's weight times the upstream).</li>
 * </ul>
 * Every method returns the unweighted value of each problem and <em>adds</em>
 * {@code coef[b] * dL_b/dx} to the gradient targets; it never overwrites them.
 */
public interface LossBackend {
    /** {@code reference}, {@code cpu}, {@code cuda}. */
    String name();

    /** Whether it takes float64 features (the reference does; the fast backends compute on float32). */
    default boolean takesFloat64() {
        return false;
    }

    /** L1; {@code p} is null for the identity ({@code ds == dt}). */
    double[] pointwise(PointwiseLoss loss, Features s, Features t, Projection p, Features gradS, Features gradP,
            double[] coef);

    /**
     * L2 and L3 together, so that a backend computes the Gram matrices and distances once for both.
     * A null loss is skipped (its coefficients are then null too).
     *
     * @return {@code {l2 values or null, l3 values or null}}
     */
    double[][] relational(DistanceLoss l2, double[] coefL2, AngleLoss l3, double[] coefL3, Features s, Features t,
            Features gradS);

    /**
     * LC; {@code centers} null means batch scope (centres from {@code t} and {@code labels} per
     * problem), otherwise dataset scope. {@code p} is null for the identity.
     */
    double[] center(CenterLoss loss, Features s, Features t, Labels labels, ClassCenters centers, Projection p,
            Features gradS, Features gradP, double[] coef);

    /** Hinton KD on logits {@code [B, m, C]}. */
    double[] hinton(HintonKd loss, Features s, Features t, Features gradS, double[] coef);

    /** Cross-entropy of logits {@code [B, m, C]} with labels {@code [B, m]} in {@code 0..C-1}. */
    double[] crossEntropy(Features s, Labels labels, Features gradS, double[] coef);

    /** Resolution-aware distillation's MMD^2 of {@code P s} (or {@code s}) against {@code t} ({@link Mmd}). */
    double[] mmd(Features s, Features t, Projection p, Features gradS, Features gradP, double[] coef);

    /** Resolution-aware distillation's pair-wise constraint ({@link PairwiseConstraint}); widths may differ. */
    double[] pairwiseConstraint(Features s, Features t, Features gradS, double[] coef);
}
