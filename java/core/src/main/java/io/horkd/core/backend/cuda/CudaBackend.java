package io.horkd.core.backend.cuda;

import io.horkd.core.backend.cpu.HintonKernel;
import io.horkd.core.cuda.CudaProbe;
import io.horkd.core.cuda.HorkdNative;
import io.horkd.core.cuda.HorkdStatus;
import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.HintonKd;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Projection;
import io.horkd.core.loss.Reduction;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import java.nio.FloatBuffer;

/**
 * The CUDA kernels behind the backend interface, through the host entry points of {@code horkd.h}:
 * each call copies its arguments into the native workspace (device buffers and pinned staging kept
 * from call to call, so no device allocation once sizes repeat), runs every problem on the GPU and
 * copies values and gradients back. The kernels compute in float64 like the CPU backend, so both agree
 * to float64 summation order in values and to float32 rounding in gradients.
 *
 * <p>One workspace per backend; calls are serialised. Create it only where {@link CudaProbe#available()}.
 */
public final class CudaBackend implements LossBackend, AutoCloseable {
    private long workspace;

    private CudaBackend(long workspace) {
        this.workspace = workspace;
    }

    /**
     * A backend on the current CUDA device.
     *
     * @throws IllegalStateException saying why CUDA cannot run here
     */
    public static CudaBackend create() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.usable()) throw new IllegalStateException("the CUDA backend cannot run here: " + probe.reason());
        long[] ws = new long[1];
        HorkdStatus.check("horkd_workspace_create", HorkdNative.horkd_workspace_create(ws));
        return new CudaBackend(ws[0]);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public synchronized double[] pointwise(PointwiseLoss loss, Features s, Features t, Projection p, Features gradS,
            Features gradP, double[] coef) {
        double[] values = new double[s.batch()];
        float[] gs = gradS == null ? null : new float[s.size()];
        float[] gp = gradP == null ? null : new float[gradP.size()];
        check("horkd_pointwise_host", HorkdNative.horkd_pointwise_host(ws(), s.toArray(), t.toArray(), s.batch(),
                s.rows(), s.cols(), t.cols(), loss.metric() == PointwiseLoss.Metric.MSE ? 1 : 0,
                p == null ? null : p.weights().toArray(), coef, values, gs, gp));
        addTo(gradS, gs);
        addTo(gradP, gp);
        return values;
    }

    @Override
    public synchronized double[][] relational(DistanceLoss l2, double[] coefL2, AngleLoss l3, double[] coefL3,
            Features s, Features t, Features gradS) {
        double[] v2 = l2 == null ? null : new double[s.batch()];
        double[] v3 = l3 == null ? null : new double[s.batch()];
        float[] gs = gradS == null ? null : new float[s.size()];
        int distance = l2 == null ? 0 : l2.function() == DistanceLoss.Function.SQUARE ? 1 : 2;
        check("horkd_relational_host", HorkdNative.horkd_relational_host(ws(), s.toArray(), t.toArray(), s.batch(),
                s.rows(), s.cols(), t.cols(), distance, l2 != null && l2.reduction() == Reduction.RKD ? 1 : 0,
                l3 == null ? 0 : 1, l3 != null && l3.reduction() == Reduction.RKD ? 1 : 0, coefL2, coefL3, v2, v3, gs));
        addTo(gradS, gs);
        return new double[][] {v2, v3};
    }

    @Override
    public synchronized double[] center(CenterLoss loss, Features s, Features t, Labels labels, ClassCenters centers,
            Projection p, Features gradS, Features gradP, double[] coef) {
        double[] values = new double[s.batch()];
        float[] gs = gradS == null ? null : new float[s.size()];
        float[] gp = gradP == null ? null : new float[gradP.size()];
        int[] lab = null;
        if (labels != null) {
            lab = new int[labels.batch() * labels.rows()];
            for (int b = 0; b < labels.batch(); b++) System.arraycopy(labels.problem(b), 0, lab, b * labels.rows(), labels.rows());
        }
        int classes = centers != null ? centers.numClasses() : labels.inferClassCount();
        check("horkd_center_host", HorkdNative.horkd_center_host(ws(), s.toArray(), t.toArray(), s.batch(), s.rows(),
                s.cols(), t.cols(), lab, classes, centers == null ? null : centers.values().toArray(),
                p == null ? null : p.weights().toArray(), coef, values, gs, gp));
        addTo(gradS, gs);
        addTo(gradP, gp);
        return values;
    }

    @Override
    public synchronized double[] hinton(HintonKd loss, Features s, Features t, Features gradS, double[] coef) {
        double[] values = new double[s.batch()];
        float[] gs = gradS == null ? null : new float[s.size()];
        check("horkd_hinton_host", HorkdNative.horkd_hinton_host(ws(), s.toArray(), t.toArray(), s.batch(), s.rows(),
                s.cols(), loss.temperature(), coef, values, gs));
        addTo(gradS, gs);
        return values;
    }

    @Override
    public synchronized double[] mmd(Features s, Features t, Projection p, Features gradS, Features gradP, double[] coef) {
        double[] values = new double[s.batch()];
        float[] gs = gradS == null ? null : new float[s.size()];
        float[] gp = gradP == null ? null : new float[gradP.size()];
        check("horkd_mmd_host", HorkdNative.horkd_mmd_host(ws(), s.toArray(), t.toArray(), s.batch(), s.rows(), s.cols(),
                t.cols(), p == null ? null : p.weights().toArray(), coef, values, gs, gp));
        addTo(gradS, gs);
        addTo(gradP, gp);
        return values;
    }

    @Override
    public synchronized double[] pairwiseConstraint(Features s, Features t, Features gradS, double[] coef) {
        double[] values = new double[s.batch()];
        float[] gs = gradS == null ? null : new float[s.size()];
        check("horkd_pairwise_constraint_host", HorkdNative.horkd_pairwise_constraint_host(ws(), s.toArray(), t.toArray(),
                s.batch(), s.rows(), s.cols(), t.cols(), coef, values, gs));
        addTo(gradS, gs);
        return values;
    }

    /** On the host: O(m C) work over a few logits is not worth a device round trip. */
    @Override
    public double[] crossEntropy(Features s, Labels labels, Features gradS, double[] coef) {
        return HintonKernel.crossEntropy(s, labels, gradS, coef);
    }

    /** Device and pinned bytes the workspace holds now. */
    public synchronized long[] workspaceBytes() {
        long[] d = new long[1];
        long[] p = new long[1];
        check("horkd_workspace_bytes", HorkdNative.horkd_workspace_bytes(ws(), d, p));
        return new long[] {d[0], p[0]};
    }

    @Override
    public synchronized void close() {
        if (workspace != 0) {
            HorkdNative.horkd_workspace_destroy(workspace);
            workspace = 0;
        }
    }

    private long ws() {
        if (workspace == 0) throw new IllegalStateException("this CudaBackend is closed");
        return workspace;
    }

    /** A failed native call as an exception carrying the native status and message. */
    private static void check(String call, int status) {
        HorkdStatus.check(call, status);
    }

    /** target += values (the SPI adds; the native side computed into zeros). */
    private static void addTo(Features target, float[] values) {
        if (target == null || values == null) return;
        FloatBuffer buf = target.buffer();
        int at = target.offset();
        for (int q = 0; q < values.length; q++) buf.put(at + q, buf.get(at + q) + values[q]);
    }
}
