package io.horkd.core.backend.cpu;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.MapShape;
import java.nio.FloatBuffer;

/**
 * One sample's {@code C x H x W} map read straight from float32 features, for the attention methods: its
 * channel mean of squares {@code q_p = mean_c F_cp^2}, optionally of the map area-pooled to a smaller size
 * first (PyTorch's adaptive bins, as {@code ReferenceMethods.adaptivePool}), or the pooled map, and the gradient
 * {@code dL/dF_cp = dL/dq_p 2 F_cp / C} added back. The float64 arithmetic is the reference's, operation
 * for operation (a division by a power of two is done as the same, exact, multiplication), so a sample's
 * {@code q} and pooled map are the reference's bit for bit; what it saves is the copies (a sample's row is one bulk
 * read into a per-thread scratch array, the pooled map is never stored) and the accessor calls.
 * One instance per thread.
 */
final class MapRows {
    private final MapShape shape;
    private final int h;
    private final int w;
    /** Bins of output row r: input rows [y0[r], y1[r]); of output column q: [x0[q], x1[q]). */
    private final int[] y0;
    private final int[] y1;
    private final int[] x0;
    private final int[] x1;
    private final boolean pooled;
    private final float[] row;
    /** Scratch for a gradient row (student maps only). */
    private final float[] out;

    /** Maps of {@code shape}, pooled to {@code h x w} (its own size: no pooling). */
    MapRows(MapShape shape, int h, int w) {
        if (h > shape.height() || w > shape.width()) {
            throw new IllegalArgumentException("cannot pool a " + shape.height() + "x" + shape.width() + " map to " + h + "x" + w
                    + ": the student map must not be larger than the teacher's");
        }
        this.shape = shape;
        this.h = h;
        this.w = w;
        y0 = new int[h];
        y1 = new int[h];
        x0 = new int[w];
        x1 = new int[w];
        for (int r = 0; r < h; r++) {
            y0[r] = Math.floorDiv(r * shape.height(), h);
            y1[r] = -Math.floorDiv(-(r + 1) * shape.height(), h);
        }
        for (int q = 0; q < w; q++) {
            x0[q] = Math.floorDiv(q * shape.width(), w);
            x1[q] = -Math.floorDiv(-(q + 1) * shape.width(), w);
        }
        pooled = h != shape.height() || w != shape.width();
        row = new float[shape.size()];
        out = pooled ? null : new float[shape.size()];
    }

    MapRows(MapShape shape) {
        this(shape, shape.height(), shape.width());
    }

    /** Reads sample i of problem b of {@code f} into the scratch row; returns it. */
    float[] read(Features f, int b, int i) {
        f.buffer().get(f.index(b, i, 0), row, 0, row.length);
        return row;
    }

    /** The last {@link #read} row's value at output (r, col) of the channel at {@code base}: its bin's mean if pooled. */
    private double value(int base, int r, int col) {
        int wt = shape.width();
        if (!pooled) return row[base + r * wt + col];
        double s = 0;
        for (int y = y0[r]; y < y1[r]; y++) {
            int o = base + y * wt;
            for (int x = x0[col]; x < x1[col]; x++) s += row[o + x];
        }
        int area = (y1[r] - y0[r]) * (x1[col] - x0[col]);
        return exactReciprocal(area) ? s * (1.0 / area) : s / area;
    }

    /** {@code x * (1.0 / n) == x / n} for every x when n is a power of two: a multiply instead of a divide. */
    private static boolean exactReciprocal(int n) {
        return Integer.bitCount(n) == 1;
    }

    /** {@code q = mean_c F_c^2} of the last {@link #read} row, pooled to {@code h x w} first if smaller. */
    void meanOfSquares(double[] q) {
        int c0 = shape.channels();
        int n = h * w;
        java.util.Arrays.fill(q, 0, n, 0);
        for (int c = 0; c < c0; c++) {
            int base = c * shape.height() * shape.width();
            if (!pooled) {
                for (int p = 0; p < n; p++) {
                    double v = row[base + p];
                    q[p] += v * v;
                }
                continue;
            }
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) {
                    double v = value(base, r, col);
                    q[r * w + col] += v * v;
                }
            }
        }
        for (int p = 0; p < n; p++) q[p] /= c0;
    }

    /** The last {@link #read} row pooled to {@code h x w} ({@code C x h x w} values into {@code out}). */
    void pool(double[] out) {
        for (int c = 0; c < shape.channels(); c++) {
            int base = c * shape.height() * shape.width();
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) out[(c * h + r) * w + col] = value(base, r, col);
            }
        }
    }

    /**
     * Adds {@code scale * dq_p 2 F_cp / C} to row i of problem b of {@code grad}, {@code F} the last
     * {@link #read} row (an unpooled map: the student's).
     */
    void addGradient(double[] dq, double scale, Features grad, int b, int i) {
        FloatBuffer g = grad.buffer();
        int at = grad.index(b, i, 0);
        g.get(at, out, 0, out.length);
        int n = h * w;
        int c0 = shape.channels();
        boolean exact = exactReciprocal(c0);
        double inv = 1.0 / c0;
        for (int c = 0; c < c0; c++) {
            for (int p = 0; p < n; p++) {
                int k = c * n + p;
                double d = dq[p] * 2 * row[k];
                out[k] = (float) (out[k] + scale * (exact ? d * inv : d / c0));
            }
        }
        g.put(at, out, 0, out.length);
    }
}
