package io.horkd.core.tensor;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A batch of {@code B} independent problems, each {@code m} rows of {@code d} float32 values: the
 * features (or logits) of one mini-batch. Row-major and contiguous: element {@code (b, i, k)} lives at
 * {@code offset + (b*m + i)*d + k} of the underlying buffer.
 *
 * <p>A view, never a copy: it wraps a heap array or a direct buffer (an INDArray's, a pinned staging
 * buffer) and reads it with absolute indexing, so the buffer's position and limit do not matter.
 */
public final class Features {
    private final FloatBuffer data;
    private final int offset;
    private final int batch;
    private final int rows;
    private final int cols;

    private Features(FloatBuffer data, int offset, int batch, int rows, int cols) {
        this.data = Objects.requireNonNull(data, "data");
        this.offset = offset;
        this.batch = batch;
        this.rows = rows;
        this.cols = cols;
    }

    /** One problem {@code [m, d]} over a heap array of exactly {@code m*d} values. */
    public static Features of(float[] data, int rows, int cols) {
        return of(data, 1, rows, cols);
    }

    /** {@code B} problems {@code [B, m, d]} over a heap array of exactly {@code B*m*d} values. */
    public static Features of(float[] data, int batch, int rows, int cols) {
        Objects.requireNonNull(data, "data");
        checkDims(batch, rows, cols);
        long need = (long) batch * rows * cols;
        if (data.length != need) {
            throw new IllegalArgumentException("array of length " + data.length + " cannot be viewed as "
                    + Shapes.format(batch, rows, cols) + " (needs " + need + ")");
        }
        return new Features(FloatBuffer.wrap(data), 0, batch, rows, cols);
    }

    /** {@code B} problems over any float buffer, starting at absolute index {@code offset}. */
    public static Features wrap(FloatBuffer data, int offset, int batch, int rows, int cols) {
        Objects.requireNonNull(data, "data");
        checkDims(batch, rows, cols);
        long end = offset + (long) batch * rows * cols;
        if (offset < 0 || end > data.capacity()) {
            throw new IllegalArgumentException("buffer of capacity " + data.capacity() + " cannot hold "
                    + Shapes.format(batch, rows, cols) + " from offset " + offset);
        }
        return new Features(data, offset, batch, rows, cols);
    }

    /** A zero-filled batch on the heap. */
    public static Features zeros(int batch, int rows, int cols) {
        checkDims(batch, rows, cols);
        return of(new float[Math.toIntExact((long) batch * rows * cols)], batch, rows, cols);
    }

    private static void checkDims(int batch, int rows, int cols) {
        if (batch <= 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("dimensions must be positive, got " + Shapes.format(batch, rows, cols));
        }
        if ((long) batch * rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(Shapes.format(batch, rows, cols) + " exceeds 2^31 elements");
        }
    }

    public int batch() {
        return batch;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of values, {@code B*m*d}. */
    public int size() {
        return batch * rows * cols;
    }

    public FloatBuffer buffer() {
        return data;
    }

    public int offset() {
        return offset;
    }

    /** Absolute buffer index of {@code (b, i, k)}. */
    public int index(int b, int i, int k) {
        return offset + (b * rows + i) * cols + k;
    }

    public float get(int b, int i, int k) {
        return data.get(index(b, i, k));
    }

    public void set(int b, int i, int k, float v) {
        data.put(index(b, i, k), v);
    }

    /** Shape as {@code [B, m, d]}. */
    public String shape() {
        return Shapes.format(batch, rows, cols);
    }

    /** True iff both have the same {@code [B, m, d]}. */
    public boolean sameShape(Features o) {
        return batch == o.batch && rows == o.rows && cols == o.cols;
    }

    /** Copies problem {@code b} ({@code m*d} values) into {@code dst} from index 0. */
    public void copyProblem(int b, float[] dst) {
        data.get(index(b, 0, 0), dst, 0, rows * cols);
    }

    /** Copies all values into a new heap array. */
    public float[] toArray() {
        float[] out = new float[size()];
        data.get(offset, out, 0, out.length);
        return out;
    }

    /** Problem {@code b} as a {@code [m, d]} array of doubles (for the float64 reference). */
    public double[][] problemAsDouble(int b) {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            int at = index(b, i, 0);
            for (int k = 0; k < cols; k++) out[i][k] = data.get(at + k);
        }
        return out;
    }

    /** Sets every value to zero. */
    public void fillZero() {
        int n = size();
        for (int i = 0; i < n; i++) data.put(offset + i, 0f);
    }

    /** Throws naming {@code argument} and the index of the first NaN or infinite value. */
    public void requireFinite(String argument) {
        int n = size();
        for (int t = 0; t < n; t++) {
            float v = data.get(offset + t);
            if (!Float.isFinite(v)) {
                int b = t / (rows * cols);
                int i = (t / cols) % rows;
                int k = t % cols;
                throw new IllegalArgumentException(argument + " " + shape() + " contains " + v + " at [" + b + ", "
                        + i + ", " + k + "]");
            }
        }
    }

    @Override
    public String toString() {
        return "Features" + shape();
    }
}
