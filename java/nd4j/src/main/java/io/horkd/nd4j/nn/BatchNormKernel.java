package io.horkd.nd4j.nn;

import io.horkd.core.cpu.BatchNormNative;
import io.horkd.core.cpu.CpuNative;
import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Per-channel batch normalisation of {@code [N, C]} or {@code [N, C, H, W]} (NCHW, C order) arrays, over
 * float32 or float64 buffers, one channel per task. Statistics are accumulated in float64 from a shift
 * (the channel's first element), which keeps {@code E[(x-K)^2] - E[x-K]^2} exact to float64 rounding
 * unless the channel's mean is ~1e6 of its spread; the backward accumulates them as {@link #stats} does,
 * from the same shift in the same order, so it sees bit-identical statistics without the forward saving them.
 * The loops over a channel's values run natively, vectorised ({@code java/core/src/main/cpp/horkd_batch_norm_cpu.h}),
 * or, where that library is absent, as the Java loops here, which compute the same bits.
 *
 * <p>With n = N H W values per channel, batch mean mu and variance var (biased, as normalised by):
 * <pre>
 *   xhat = (x - mu) s,  s = 1 / sqrt(var + eps),  y = gamma xhat + beta
 *   dbeta = sum dy,  dgamma = sum dy xhat
 *   training (mu, var depend on x):   dx = gamma s (dy - dbeta / n - xhat dgamma / n)
 *   inference (running mu, var):      dx = gamma s dy
 * </pre>
 */
final class BatchNormKernel {
    private BatchNormKernel() {}

    /**
     * A float32 or float64 buffer: single elements, runs of elements copied to and from float64 arrays
     * (for the Java loops), and the direct buffer itself (for the native ones).
     */
    interface Buf {
        double get(int i);

        void set(int i, double v);

        void read(int offset, double[] dst, int n);

        void write(int offset, double[] src, int n);

        /** The direct buffer over the array's memory, for the native loops. */
        Buffer nio();

        boolean f64();
    }

    /** The layout: n rows (images) of C channels of hw values each. */
    record Layout(int n, int c, int hw) {
        int perChannel() {
            return n * hw;
        }

        int offset(int image, int channel) {
            return (image * c + channel) * hw;
        }

        /** Elements from one image's plane of a channel to the next image's. */
        long stride() {
            return (long) c * hw;
        }
    }

    /** Mean and biased variance of one channel. */
    static double[] stats(Buf x, Layout l, int ch) {
        double k = x.get(l.offset(0, ch));
        double[] sum = sums(x, null, l, ch, k);
        return shifted(sum[0], sum[1], k, l.perChannel());
    }

    /** Whether the loops run natively ({@link CpuNative}); tests compare both ways. */
    static volatile boolean useNative = CpuNative.available();

    /** Native loops for these buffers: where they loaded and the buffers share one type (Bufs converts inputs to x's). */
    private static boolean natively(Buf x, Buf... others) {
        if (!useNative) return false;
        for (Buf b : others) if (b.f64() != x.f64()) return false;
        return true;
    }

    /**
     * {sum v, sum v^2, sum dy, sum dy v} over channel {@code ch}, v = x - k (the last two 0 without dy):
     * per-position float64 sums over the images, folded over the positions in order, {@link #BLOCK} positions
     * at a time, as {@code horkd_batch_norm_cpu.h} computes them natively (same bits).
     */
    static double[] sums(Buf x, Buf dy, Layout l, int ch, double k) {
        double[] out = new double[4];
        int o = l.offset(0, ch);
        long stride = l.stride();
        if (dy == null ? natively(x) : natively(x, dy)) {
            if (x.f64()) {
                BatchNormNative.horkd_bn_sums_f64((DoubleBuffer) x.nio(), o, dy == null ? null : (DoubleBuffer) dy.nio(), o,
                        l.n(), stride, l.hw(), k, out);
            } else {
                BatchNormNative.horkd_bn_sums_f32((FloatBuffer) x.nio(), o, dy == null ? null : (FloatBuffer) dy.nio(), o,
                        l.n(), stride, l.hw(), k, out);
            }
            return out;
        }
        int block = Math.min(BLOCK, l.hw());
        double[] xr = new double[block], dr = new double[block];
        double[] a0 = new double[block], a1 = new double[block], a2 = new double[block], a3 = new double[block];
        for (int j0 = 0; j0 < l.hw(); j0 += BLOCK) {
            int len = Math.min(BLOCK, l.hw() - j0);
            java.util.Arrays.fill(a0, 0);
            java.util.Arrays.fill(a1, 0);
            java.util.Arrays.fill(a2, 0);
            java.util.Arrays.fill(a3, 0);
            for (int i = 0; i < l.n(); i++) {
                int r = l.offset(i, ch) + j0;
                x.read(r, xr, len);
                if (dy != null) {
                    dy.read(r, dr, len);
                    for (int j = 0; j < len; j++) {
                        double v = xr[j] - k, d = dr[j];
                        a0[j] += v;
                        a1[j] += v * v;
                        a2[j] += d;
                        a3[j] += d * v;
                    }
                } else {
                    for (int j = 0; j < len; j++) {
                        double v = xr[j] - k;
                        a0[j] += v;
                        a1[j] += v * v;
                    }
                }
            }
            for (int j = 0; j < len; j++) {
                out[0] += a0[j];
                out[1] += a1[j];
                out[2] += a2[j];
                out[3] += a3[j];
            }
        }
        return out;
    }

    /** Positions summed per block (the native loops' {@code horkd_bn::BLOCK}). */
    static final int BLOCK = 256;

    /** y = x scale + shift over channel {@code ch}. */
    private static void normalize(Buf x, Layout l, int ch, double scale, double shift, Buf y) {
        int o = l.offset(0, ch);
        long stride = l.stride();
        if (natively(x, y)) {
            if (x.f64()) {
                BatchNormNative.horkd_bn_normalize_f64((DoubleBuffer) x.nio(), (DoubleBuffer) y.nio(), o, l.n(), stride, l.hw(), scale, shift);
            } else {
                BatchNormNative.horkd_bn_normalize_f32((FloatBuffer) x.nio(), (FloatBuffer) y.nio(), o, l.n(), stride, l.hw(), scale, shift);
            }
            return;
        }
        double[] row = new double[l.hw()];
        for (int i = 0; i < l.n(); i++) {
            int r = l.offset(i, ch);
            x.read(r, row, row.length);
            for (int j = 0; j < row.length; j++) row[j] = row[j] * scale + shift;
            y.write(r, row, row.length);
        }
    }

    /** dx = g (dy - a - (x - mean) b) over channel {@code ch}. */
    private static void dx(Buf x, Buf dy, Layout l, int ch, double g, double a, double mean, double b, Buf dx) {
        int o = l.offset(0, ch);
        long stride = l.stride();
        if (natively(x, dy, dx)) {
            if (x.f64()) {
                BatchNormNative.horkd_bn_dx_f64((DoubleBuffer) x.nio(), (DoubleBuffer) dy.nio(), (DoubleBuffer) dx.nio(), o, l.n(),
                        stride, l.hw(), g, a, mean, b);
            } else {
                BatchNormNative.horkd_bn_dx_f32((FloatBuffer) x.nio(), (FloatBuffer) dy.nio(), (FloatBuffer) dx.nio(), o, l.n(),
                        stride, l.hw(), g, a, mean, b);
            }
            return;
        }
        double[] xr = new double[l.hw()], dr = new double[l.hw()];
        for (int i = 0; i < l.n(); i++) {
            int r = l.offset(i, ch);
            x.read(r, xr, xr.length);
            dy.read(r, dr, dr.length);
            for (int j = 0; j < xr.length; j++) dr[j] = g * (dr[j] - a - (xr[j] - mean) * b);
            dx.write(r, dr, dr.length);
        }
    }

    /** {mean, biased variance} from the sums of {@code v = x - k} and {@code v^2} over {@code cnt} values; also {mean - k}. */
    private static double[] shifted(double s, double ss, double k, int cnt) {
        double mean = s / cnt;
        double var = Math.max(ss / cnt - mean * mean, 0);
        return new double[] {mean + k, var, mean};
    }

    /** The statistics a channel is normalised by: the batch's when training, else the running ones. */
    private static double[] statistics(Buf x, Buf runMean, Buf runVar, boolean training, Layout l, int ch) {
        return training ? stats(x, l, ch) : new double[] {runMean.get(ch), runVar.get(ch)};
    }

    /**
     * y = gamma (x - mu) s + beta with batch statistics ({@code training}, which also moves the running
     * statistics by {@code momentum} towards the batch's, the variance unbiased) or the running ones.
     */
    static void forward(Buf x, Buf gamma, Buf beta, Buf runMean, Buf runVar, boolean training, double eps,
            double momentum, Layout l, Buf y) {
        IntStream.range(0, l.c()).parallel().forEach(ch -> {
            double[] st = statistics(x, runMean, runVar, training, l, ch);
            double mean = st[0];
            double var = st[1];
            if (training) {
                int cnt = l.perChannel();
                double unbiased = cnt > 1 ? var * cnt / (cnt - 1) : var;
                runMean.set(ch, (1 - momentum) * runMean.get(ch) + momentum * mean);
                runVar.set(ch, (1 - momentum) * runVar.get(ch) + momentum * unbiased);
            }
            double scale = gamma.get(ch) / Math.sqrt(var + eps);
            normalize(x, l, ch, scale, beta.get(ch) - mean * scale, y);
        });
    }

    /**
     * dx, dgamma, dbeta for upstream dy; statistics as in the forward (recomputed from x when training).
     * Two passes over x and dy: the first takes the statistics and the sums together, from the same shift
     * as {@link #stats} and in its order (so the same bits), with
     * {@code sum dy (x - mu) = sum dy (x - k) - (mu - k) sum dy}; the second writes dx.
     */
    static void backward(Buf x, Buf gamma, Buf runMean, Buf runVar, boolean training, double eps, Layout l, Buf dy,
            Buf dx, Buf dGamma, Buf dBeta) {
        IntStream.range(0, l.c()).parallel().forEach(ch -> {
            // Inference shifts by the running mean itself, so that the sum below is sum dy (x - mu) exactly.
            double k = training ? x.get(l.offset(0, ch)) : runMean.get(ch);
            double[] sum = sums(x, dy, l, ch, k);
            double mean;
            double var;
            double sumDyXc;
            if (training) {
                double[] st = shifted(sum[0], sum[1], k, l.perChannel());
                mean = st[0];
                var = st[1];
                sumDyXc = sum[3] - st[2] * sum[2];
            } else {
                mean = k;
                var = runVar.get(ch);
                sumDyXc = sum[3];
            }
            double s = 1 / Math.sqrt(var + eps);
            double dg = sumDyXc * s;
            dGamma.set(ch, dg);
            dBeta.set(ch, sum[2]);
            // training: dx = g (dy - a - (x - mu) b); inference: a = b = 0
            double a = training ? sum[2] / l.perChannel() : 0;
            double b = training ? dg * s / l.perChannel() : 0; // xhat dgamma / n = (x - mu) s dgamma / n
            dx(x, dy, l, ch, gamma.get(ch) * s, a, mean, b, dx);
        });
    }
}
