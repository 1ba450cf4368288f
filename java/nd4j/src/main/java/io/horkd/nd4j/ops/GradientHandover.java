package io.horkd.nd4j.ops;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hands the gradient a forward op computed to the grad op that follows it in a training step, so that a
 * step computes the loss once instead of twice.
 *
 * <p>In {@code sd.fit}, SameDiff runs a loss's forward op (for the score) and then its grad op on the
 * same inputs; the grad op would recompute everything the forward did. Once this thread has run a grad op
 * after a forward (it is training), the forward also computes the gradient (about 1.6x the cost of the
 * value alone, against 2.6x for value then value-and-gradient) and leaves it here; the grad op takes it if
 * its inputs are exactly the forward's (compared element by element) and scales it by its upstream factor.
 * A graph may hold several loss ops (one per stage, CE beside a feature loss): all their forwards run
 * before any grad op, so each thread keeps every pending offer, and a grad op takes the one that matches.
 * A forward that finds an offer of its own computation (same description and inputs) still pending knows
 * that nobody took it: not a training step, so the thread stops computing gradients in forwards until a
 * grad op runs again; so it does when {@link #MAX_PENDING} offers wait (inference on changing inputs).
 * Offers are consumed once.
 */
final class GradientHandover {
    private static final ThreadLocal<GradientHandover> CURRENT = ThreadLocal.withInitial(GradientHandover::new);
    /** Gradients offered by forward ops and taken by grad ops, in this JVM (diagnostics and tests). */
    static final LongAdder OFFERED = new LongAdder();
    static final LongAdder TAKEN = new LongAdder();
    /** Off: every grad op recomputes (for tests that compare the two, and {@code -Dhorkd.handover=false} to time it). */
    static volatile boolean enabled = !"false".equals(System.getProperty("horkd.handover"));
    /** At most this many loss ops of one graph hand over (inference stops offering after this many). */
    static final int MAX_PENDING = 16;

    /** Whether forward ops of this thread compute the gradient too. */
    private boolean training;
    private final List<Offer> pending = new ArrayList<>();

    /** A forward's gradient of {@code sum_b total_b} (upstream 1 for every problem), with a copy of its inputs. */
    private record Offer(LossSpec spec, Object[] inputs, long[][] shapes, double[] totals, float[] dS, float[] dP) {
        boolean sameOp(LossSpec s, List<INDArray> in) {
            if (!spec.equals(s) || in.size() != shapes.length) return false;
            for (int i = 0; i < shapes.length; i++) {
                if (!Arrays.equals(shapes[i], in.get(i).shape())) return false;
            }
            return true;
        }

        boolean sameInputs(List<INDArray> in) {
            for (int i = 0; i < inputs.length; i++) {
                if (!same(inputs[i], in.get(i))) return false;
            }
            return true;
        }
    }

    /** Whether {@code a} holds exactly the values of {@code copy} (bit for bit, any NaN equal to any NaN). */
    private static boolean same(Object copy, INDArray a) {
        if (a.dataType() == DataType.FLOAT && NdViews.viewable(a)) { // compared in place, vectorised
            return copy instanceof float[] f && f.length == a.length() && FloatBuffer.wrap(f).mismatch(NdViews.buffer(a)) == -1;
        }
        Object c = contents(a, null);
        return c instanceof float[] f ? copy instanceof float[] g && Arrays.equals(f, g)
                : c instanceof int[] n ? copy instanceof int[] k && Arrays.equals(n, k)
                : copy instanceof double[] g && Arrays.equals((double[]) c, g);
    }

    static GradientHandover current() {
        return CURRENT.get();
    }

    /**
     * Called by a forward op of {@code spec} on {@code in}: true if it should compute the gradient and
     * {@link #offer} it.
     */
    boolean forwardWantsGradient(LossSpec spec, List<INDArray> in) {
        if (pending.stream().anyMatch(o -> o.sameOp(spec, in) && o.sameInputs(in))) { // its last gradient was not taken
            training = false;
            clearPending();
        }
        return training && enabled;
    }

    /** Forgets every pending offer and stops offering until a grad op runs (tests). */
    void reset() {
        training = false;
        clearPending();
    }

    /** A forward's gradient of {@code sum_b total_b} (upstream 1 for every problem), for its grad op. */
    void offer(LossSpec spec, List<INDArray> in, double[] totals, float[] dS, float[] dP) {
        if (pending.size() >= MAX_PENDING) { // nobody takes them
            training = false;
            clearPending();
            return;
        }
        Object[] inputs = new Object[in.size()];
        long[][] shapes = new long[in.size()][];
        for (int i = 0; i < in.size(); i++) {
            inputs[i] = contents(in.get(i), this);
            shapes[i] = in.get(i).shape();
        }
        pending.add(new Offer(spec, inputs, shapes, totals, dS, dP));
        OFFERED.increment();
    }

    /**
     * Called by a grad op: writes {@code up[b]} times the handed-over gradient into {@code outS} (and
     * {@code outP}) and returns the totals, if a pending forward of this thread saw exactly these inputs and
     * the upstream factors allow it (the projection's gradient is summed over problems, so it needs equal
     * factors); otherwise null, and the caller computes. Either way the offer of this op is consumed.
     */
    double[] take(LossSpec spec, List<INDArray> in, double[] up, INDArray outS, INDArray outP) {
        training = true;
        for (int k = pending.size() - 1; k >= 0; k--) { // grad ops run in reverse order: the match is usually last
            Offer o = pending.get(k);
            if (!o.sameOp(spec, in) || !o.sameInputs(in)) continue;
            pending.remove(k);
            recycle(o);
            if ((outP == null) != (o.dP() == null) || (outP != null && !allEqual(up))) return null;
            scaleInto(o.dS(), up, outS);
            if (outP != null) scaleInto(o.dP(), new double[] {up[0]}, outP);
            TAKEN.increment();
            return o.totals();
        }
        return null;
    }

    /**
     * A copy of the values, exactly: float[] for float32 (into a spare array of this thread where one of the
     * length is kept: the same shapes come back every step), int[] for integer types, double[] otherwise.
     */
    private static Object contents(INDArray a, GradientHandover spares) {
        if (a.dataType() == DataType.FLOAT) {
            INDArray v = NdViews.viewable(a) ? a : a.dup('c');
            int n = Math.toIntExact(v.length());
            float[] out = spares == null ? null : spares.spare(n);
            NdViews.buffer(v).get(out == null ? out = new float[n] : out);
            return out;
        }
        if (a.dataType().isIntType()) return a.castTo(DataType.INT).dup('c').data().asInt();
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** Float arrays of consumed offers, for the next offers' copies (bounded: a graph's inputs come back each step). */
    private final List<float[]> spares = new ArrayList<>();
    private static final int MAX_SPARES = 64;

    private float[] spare(int length) {
        for (int k = spares.size() - 1; k >= 0; k--) {
            if (spares.get(k).length == length) return spares.remove(k);
        }
        return null;
    }

    private void recycle(Offer o) {
        for (Object c : o.inputs()) {
            if (c instanceof float[] f && spares.size() < MAX_SPARES) spares.add(f);
        }
    }

    private void clearPending() {
        pending.forEach(this::recycle);
        pending.clear();
    }

    private static boolean allEqual(double[] up) {
        for (double u : up) {
            if (u != up[0]) return false;
        }
        return true;
    }

    /** out = up[b] * g for the rows of problem b (one factor for all when up has one entry); g is consumed. */
    private static void scaleInto(float[] g, double[] up, INDArray out) {
        int per = g.length / up.length;
        for (int b = 0; b < up.length; b++) {
            double u = up[b];
            if (u != 1) { // (float) (1.0 * g) == g: the usual factor costs one bulk copy
                for (int i = b * per; i < (b + 1) * per; i++) g[i] = (float) (u * g[i]);
            }
        }
        NdViews.buffer(out).put(0, g, 0, g.length);
    }
}
