package io.horkd.nd4j.nn;

import java.util.stream.IntStream;

/**
 * Per-channel batch normalisation of {@code [N, C]} or {@code [N, C, H, W]} (NCHW, C order) arrays, over
 * float32 or float64 buffers, one channel per task. Statistics are accumulated in float64 from a shift
 * (the channel's first element), which keeps {@code E[(x-K)^2] - E[x-K]^2} exact to float64 rounding
 * unless the channel's mean is ~1e6 of its spread; the backward accumulates them as {@link #stats} does,
 * from the same shift in the same order, so it sees bit-identical statistics without the forward saving them.
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
     * A float32 or float64 buffer: single elements, and runs of elements copied to and from float64
     * arrays (the kernels work on one contiguous {@code H x W} plane at a time, in plain arrays the JIT
     * vectorises).
     */
    interface Buf {
        double get(int i);

        void set(int i, double v);

        void read(int offset, double[] dst, int n);

        void write(int offset, double[] src, int n);
    }

    /** The layout: n rows (images) of C channels of hw values each. */
    record Layout(int n, int c, int hw) {
        int perChannel() {
            return n * hw;
        }

        int offset(int image, int channel) {
            return (image * c + channel) * hw;
        }
    }

    /** Mean and biased variance of one channel. */
    static double[] stats(Buf x, Layout l, int ch) {
        double[] row = new double[l.hw()];
        double k = x.get(l.offset(0, ch));
        double s = 0, ss = 0;
        for (int i = 0; i < l.n(); i++) {
            x.read(l.offset(i, ch), row, l.hw());
            for (int j = 0; j < row.length; j++) {
                double v = row[j] - k;
                s += v;
                ss += v * v;
            }
        }
        return shifted(s, ss, k, l.perChannel());
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
            double shift = beta.get(ch) - mean * scale;
            double[] row = new double[l.hw()];
            for (int i = 0; i < l.n(); i++) {
                int o = l.offset(i, ch);
                x.read(o, row, row.length);
                for (int j = 0; j < row.length; j++) row[j] = row[j] * scale + shift;
                y.write(o, row, row.length);
            }
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
            double[] xr = new double[l.hw()];
            double[] dr = new double[l.hw()];
            double s1 = 0, ss = 0, sumDy = 0, sumDyXk = 0;
            for (int i = 0; i < l.n(); i++) {
                int o = l.offset(i, ch);
                x.read(o, xr, xr.length);
                dy.read(o, dr, dr.length);
                for (int j = 0; j < xr.length; j++) {
                    double v = xr[j] - k;
                    s1 += v;
                    ss += v * v;
                    sumDy += dr[j];
                    sumDyXk += dr[j] * v;
                }
            }
            double mean;
            double var;
            double sumDyXc;
            if (training) {
                double[] st = shifted(s1, ss, k, l.perChannel());
                mean = st[0];
                var = st[1];
                sumDyXc = sumDyXk - st[2] * sumDy;
            } else {
                mean = k;
                var = runVar.get(ch);
                sumDyXc = sumDyXk;
            }
            double s = 1 / Math.sqrt(var + eps);
            double dg = sumDyXc * s;
            dGamma.set(ch, dg);
            dBeta.set(ch, sumDy);
            double g = gamma.get(ch) * s;
            // training: dx = g (dy - a - (x - mu) b); inference: a = b = 0
            double a = training ? sumDy / l.perChannel() : 0;
            double b = training ? dg * s / l.perChannel() : 0; // xhat dgamma / n = (x - mu) s dgamma / n
            for (int i = 0; i < l.n(); i++) {
                int o = l.offset(i, ch);
                x.read(o, xr, xr.length);
                dy.read(o, dr, dr.length);
                for (int j = 0; j < xr.length; j++) dr[j] = g * (dr[j] - a - (xr[j] - mean) * b);
                dx.write(o, dr, dr.length);
            }
        });
    }
}
