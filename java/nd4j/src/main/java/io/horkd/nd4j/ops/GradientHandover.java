package io.horkd.nd4j.ops;

import java.nio.FloatBuffer;
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
 * A forward whose gradient nobody took switches this off again for the thread, so inference pays for
 * values only. One entry per thread, consumed once.
 */
final class GradientHandover {
    private static final ThreadLocal<GradientHandover> CURRENT = ThreadLocal.withInitial(GradientHandover::new);
    /** Gradients offered by forward ops and taken by grad ops, in this JVM (diagnostics and tests). */
    static final LongAdder OFFERED = new LongAdder();
    static final LongAdder TAKEN = new LongAdder();
    /** Off: every grad op recomputes (for tests that compare the two, and {@code -Dhorkd.handover=false} to time it). */
    static volatile boolean enabled = !"false".equals(System.getProperty("horkd.handover"));

    /** Whether forward ops of this thread compute the gradient too. */
    private boolean training;
    private boolean pending;
    private LossSpec spec;
    private Object[] inputs;
    private long[][] shapes;
    private double[] totals;
    private float[] dS;
    private float[] dP;

    static GradientHandover current() {
        return CURRENT.get();
    }

    /** Called by a forward op: true if it should compute the gradient and {@link #offer} it. */
    boolean forwardWantsGradient() {
        if (pending) training = false; // the last forward's gradient was not taken: not a training step
        drop();
        return training && enabled;
    }

    /** A forward's gradient of {@code sum_b total_b} (upstream 1 for every problem), for the next grad op. */
    void offer(LossSpec spec, List<INDArray> in, double[] totals, float[] dS, float[] dP) {
        this.spec = spec;
        this.inputs = new Object[in.size()];
        this.shapes = new long[in.size()][];
        for (int i = 0; i < in.size(); i++) {
            inputs[i] = contents(in.get(i));
            shapes[i] = in.get(i).shape();
        }
        this.totals = totals;
        this.dS = dS;
        this.dP = dP;
        pending = true;
        OFFERED.increment();
    }

    /**
     * Called by a grad op: writes {@code up[b]} times the handed-over gradient into {@code outS} (and
     * {@code outP}) and returns the totals, if the last forward of this thread saw exactly these inputs and
     * the upstream factors allow it (the projection's gradient is summed over problems, so it needs equal
     * factors); otherwise null, and the caller computes.
     */
    double[] take(LossSpec spec, List<INDArray> in, double[] up, INDArray outS, INDArray outP) {
        training = true;
        boolean usable = pending && spec.equals(this.spec) && sameInputs(in) && (outP == null) == (dP == null)
                && (outP == null || allEqual(up));
        double[] result = null;
        if (usable) {
            scaleInto(dS, up, outS);
            if (outP != null) scaleInto(dP, new double[] {up[0]}, outP);
            result = totals;
            TAKEN.increment();
        }
        drop();
        return result;
    }

    private void drop() {
        pending = false;
        spec = null;
        inputs = null;
        shapes = null;
        totals = null;
        dS = null;
        dP = null;
    }

    private boolean sameInputs(List<INDArray> in) {
        if (inputs == null || in.size() != inputs.length) return false;
        for (int i = 0; i < inputs.length; i++) {
            INDArray a = in.get(i);
            if (!Arrays.equals(shapes[i], a.shape())) return false;
            Object c = contents(a);
            boolean same = c instanceof float[] f ? inputs[i] instanceof float[] g && Arrays.equals(f, g)
                    : c instanceof int[] n ? inputs[i] instanceof int[] k && Arrays.equals(n, k)
                    : inputs[i] instanceof double[] g && Arrays.equals((double[]) c, g);
            if (!same) return false;
        }
        return true;
    }

    /** A copy of the values, exactly: float[] for float32, int[] for integer types, double[] otherwise. */
    private static Object contents(INDArray a) {
        if (a.dataType() == DataType.FLOAT) {
            INDArray v = NdViews.viewable(a) ? a : a.dup('c');
            float[] out = new float[Math.toIntExact(v.length())];
            NdViews.buffer(v).get(out);
            return out;
        }
        if (a.dataType().isIntType()) return a.castTo(DataType.INT).dup('c').data().asInt();
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static boolean allEqual(double[] up) {
        for (double u : up) {
            if (u != up[0]) return false;
        }
        return true;
    }

    /** out = up[b] * g for the rows of problem b (one factor for all when up has one entry). */
    private static void scaleInto(float[] g, double[] up, INDArray out) {
        FloatBuffer o = NdViews.buffer(out);
        int per = g.length / up.length;
        for (int i = 0; i < g.length; i++) o.put(i, (float) (up[i / per] * g[i]));
    }
}
