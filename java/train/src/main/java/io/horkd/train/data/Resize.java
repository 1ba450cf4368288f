package io.horkd.train.data;

import java.util.Locale;

/**
 * Separable image resampling with PIL's conventions ({@code Image.resize}): pixel centres at
 * {@code i + 0.5}, the filter stretched by the scale when shrinking (so shrinking averages, never
 * aliases), weights normalised per output pixel, results clamped to [0, 1]. {@link Filter#AREA} is the box
 * filter: an exact mean of each {@code k x k} block when shrinking by an integer factor {@code k}.
 * {@link Filter#BICUBIC} is Keys' cubic with a = -0.5.
 */
public final class Resize {
    public enum Filter {
        AREA(0.5), BICUBIC(2.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            x = Math.abs(x);
            if (this == AREA) return x < 0.5 ? 1 : x == 0.5 ? 0.5 : 0; // half weight on an edge that two boxes share
            final double a = -0.5;
            if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
            if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
            return 0;
        }

        public static Filter parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown resampling filter '" + s + "': area or bicubic");
            }
        }
    }

    private Resize() {}

    /** {@code image} ({@code C x H x W}) resized to {@code h x w}: area when shrinking, bicubic when growing. */
    public static float[] to(float[] image, int c, int height, int width, int h, int w) {
        Filter f = h <= height && w <= width ? Filter.AREA : Filter.BICUBIC;
        return resize(image, c, height, width, h, w, f);
    }

    /** {@code image} ({@code C x H x W}) resized to {@code h x w} with {@code filter}. */
    public static float[] resize(float[] image, int c, int height, int width, int h, int w, Filter filter) {
        if (h < 1 || w < 1) throw new IllegalArgumentException("target size must be positive, got " + h + "x" + w);
        if (image.length != c * height * width) {
            throw new IllegalArgumentException("image of " + image.length + " values is not " + c + "x" + height + "x" + width);
        }
        if (h == height && w == width) return image.clone();
        Weights rows = weights(height, h, filter);
        Weights cols = weights(width, w, filter);
        float[] out = new float[c * h * w];
        double[] tmp = new double[height * w];
        for (int ch = 0; ch < c; ch++) {
            int in = ch * height * width;
            for (int y = 0; y < height; y++) { // horizontal pass
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int k = 0; k < cols.count[x]; k++) s += cols.w[x][k] * image[in + y * width + cols.first[x] + k];
                    tmp[y * w + x] = s;
                }
            }
            int o = ch * h * w;
            for (int y = 0; y < h; y++) { // vertical pass
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int k = 0; k < rows.count[y]; k++) s += rows.w[y][k] * tmp[(rows.first[y] + k) * w + x];
                    out[o + y * w + x] = (float) Math.min(1, Math.max(0, s));
                }
            }
        }
        return out;
    }

    /** For each output index: the first input index, the count and the normalised weights. */
    private record Weights(int[] first, int[] count, double[][] w) {}

    private static Weights weights(int in, int out, Filter f) {
        double scale = (double) in / out;
        double stretch = Math.max(scale, 1);
        double support = f.support * stretch;
        int[] first = new int[out];
        int[] count = new int[out];
        double[][] w = new double[out][];
        for (int o = 0; o < out; o++) {
            double centre = (o + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - support));
            int hi = Math.min(in, (int) Math.ceil(centre + support));
            double[] ws = new double[hi - lo];
            double total = 0;
            for (int i = lo; i < hi; i++) total += ws[i - lo] = f.weight((i + 0.5 - centre) / stretch);
            for (int i = 0; i < ws.length; i++) ws[i] /= total;
            first[o] = lo;
            count[o] = ws.length;
            w[o] = ws;
        }
        return new Weights(first, count, w);
    }
}
