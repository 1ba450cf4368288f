package io.horkd.core.tensor;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A batch of {@code B} independent problems, each {@code m} rows of {@code d} values: the features (or
 * logits) of one mini-batch. Row-major and contiguous: element {@code (b, i, k)} lives at
 * {@code offset + (b*m + i)*d + k} of the underlying buffer.
 *
 * <p>A view, never a copy: it wraps a heap array or a direct buffer (an INDArray's, a pinned staging
 * buffer) and reads it with absolute indexing, so the buffer's position and limit do not matter.
 *
 * <p>Float32 features are what the fast backends compute on ({@link #buffer()}); float64 features
 * ({@link #isFloat64()}) exist so that the float64 reference runs behind the same interface on exact
 * inputs and writes exact gradients (the gradient checks of SameDiff and DL4J perturb by 1e-6).
 */
public final class Features {
    private final FloatBuffer data;
    private final DoubleBuffer data64;
    private final int offset;
    private final int batch;
    private final int rows;
    private final int cols;

    private Features(FloatBuffer data, DoubleBuffer data64, int offset, int batch, int rows, int cols) {
        if ((data == null) == (data64 == null)) throw new IllegalArgumentException("exactly one buffer expected");
        this.data = data;
        this.data64 = data64;
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
        checkLength(Objects.requireNonNull(data, "data").length, batch, rows, cols);
        return new Features(FloatBuffer.wrap(data), null, 0, batch, rows, cols);
    }

    /** {@code B} float64 problems {@code [B, m, d]} over a heap array of exactly {@code B*m*d} values. */
    public static Features of(double[] data, int batch, int rows, int cols) {
        checkLength(Objects.requireNonNull(data, "data").length, batch, rows, cols);
        return new Features(null, DoubleBuffer.wrap(data), 0, batch, rows, cols);
    }

    private static void checkLength(int length, int batch, int rows, int cols) {
        checkDims(batch, rows, cols);
        long need = (long) batch * rows * cols;
        if (length != need) {
            throw new IllegalArgumentException("array of length " + length + " cannot be viewed as "
                    + Shapes.format(batch, rows, cols) + " (needs " + need + ")");
        }
    }

    /** {@code B} problems over any float buffer, starting at absolute index {@code offset}. */
    public static Features wrap(FloatBuffer data, int offset, int batch, int rows, int cols) {
        checkCapacity(Objects.requireNonNull(data, "data"), offset, batch, rows, cols);
        return new Features(data, null, offset, batch, rows, cols);
    }

    /** {@code B} float64 problems over any double buffer, starting at absolute index {@code offset}. */
    public static Features wrap(DoubleBuffer data, int offset, int batch, int rows, int cols) {
        checkCapacity(Objects.requireNonNull(data, "data"), offset, batch, rows, cols);
        return new Features(null, data, offset, batch, rows, cols);
    }

    private static void checkCapacity(Buffer data, int offset, int batch, int rows, int cols) {
        checkDims(batch, rows, cols);
        long end = offset + (long) batch * rows * cols;
        if (offset < 0 || end > data.capacity()) {
            throw new IllegalArgumentException("buffer of capacity " + data.capacity() + " cannot hold "
                    + Shapes.format(batch, rows, cols) + " from offset " + offset);
        }
    }

    /** A zero-filled batch on the heap. */
    public static Features zeros(int batch, int rows, int cols) {
        checkDims(batch, rows, cols);
        return of(new float[Math.toIntExact((long) batch * rows * cols)], batch, rows, cols);
    }

    /** A zero-filled batch on the heap in the precision of {@code like}. */
    public static Features zerosLike(Features like) {
        if (!like.isFloat64()) return zeros(like.batch, like.rows, like.cols);
        checkDims(like.batch, like.rows, like.cols);
        return of(new double[like.size()], like.batch, like.rows, like.cols);
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

    /** True for float64 features, which only the reference backend takes. */
    public boolean isFloat64() {
        return data64 != null;
    }

    /** The float32 buffer. @throws IllegalStateException for float64 features */
    public FloatBuffer buffer() {
        if (data == null) {
            throw new IllegalStateException("float64 features " + shape() + " have no float32 buffer: the fast backends "
                    + "take float32, float64 runs on the reference backend");
        }
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
        return data != null ? data.get(index(b, i, k)) : (float) data64.get(index(b, i, k));
    }

    public void set(int b, int i, int k, float v) {
        if (data != null) data.put(index(b, i, k), v);
        else data64.put(index(b, i, k), v);
    }

    /** The value in its own precision, as a double. */
    public double getDouble(int b, int i, int k) {
        return data != null ? data.get(index(b, i, k)) : data64.get(index(b, i, k));
    }

    /** Adds {@code v} to the value, rounding the sum to the features' own precision. */
    public void add(int b, int i, int k, double v) {
        int at = index(b, i, k);
        if (data != null) data.put(at, (float) (data.get(at) + v));
        else data64.put(at, data64.get(at) + v);
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
        buffer().get(index(b, 0, 0), dst, 0, rows * cols);
    }

    /** Copies all values into a new heap array (float64 values rounded to float32). */
    public float[] toArray() {
        float[] out = new float[size()];
        if (data != null) data.get(offset, out, 0, out.length);
        else for (int q = 0; q < out.length; q++) out[q] = (float) data64.get(offset + q);
        return out;
    }

    /** Copies all values into a new heap array of doubles. */
    public double[] toDoubleArray() {
        double[] out = new double[size()];
        if (data64 != null) data64.get(offset, out, 0, out.length);
        else for (int q = 0; q < out.length; q++) out[q] = data.get(offset + q);
        return out;
    }

    /** Problem {@code b} as a {@code [m, d]} array of doubles (for the float64 reference). */
    public double[][] problemAsDouble(int b) {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            int at = index(b, i, 0);
            if (data != null) for (int k = 0; k < cols; k++) out[i][k] = data.get(at + k);
            else data64.get(at, out[i], 0, cols);
        }
        return out;
    }

    /** Sets every value to zero. */
    public void fillZero() {
        int n = size();
        for (int i = 0; i < n; i++) {
            if (data != null) data.put(offset + i, 0f);
            else data64.put(offset + i, 0.0);
        }
    }

    /** Throws naming {@code argument} and the index of the first NaN or infinite value. */
    public void requireFinite(String argument) {
        int n = size();
        int bad = data != null ? firstNonFinite(data, offset, n) : firstNonFinite64(n);
        if (bad >= 0) {
            int b = bad / (rows * cols);
            int i = (bad / cols) % rows;
            int k = bad % cols;
            throw new IllegalArgumentException(argument + " " + shape() + " contains "
                    + (data != null ? data.get(offset + bad) : data64.get(offset + bad)) + " at [" + b + ", " + i + ", " + k + "]");
        }
    }

    /**
     * Float32 values are checked in chunks read in bulk: a NaN or infinity has all exponent bits set, so
     * adding one to its exponent field carries into the sign bit; OR-ed over a chunk (a loop the JIT
     * vectorises, three times as fast as a test per value), the sign bit says whether to look closer.
     */
    private static final int CHUNK = 4096;
    private static final int EXPONENT = 0x7f800000;
    private static final int EXPONENT_ONE = 0x00800000;

    private static int firstNonFinite(FloatBuffer buf, int offset, int n) {
        float[] chunk = new float[Math.min(n, CHUNK)];
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            buf.get(offset + start, chunk, 0, len);
            if (anyNonFinite(chunk, len)) {
                for (int t = 0; t < len; t++) {
                    if (!Float.isFinite(chunk[t])) return start + t;
                }
            }
        }
        return -1;
    }

    private static boolean anyNonFinite(float[] chunk, int len) {
        int acc = 0;
        for (int t = 0; t < len; t++) acc |= (Float.floatToRawIntBits(chunk[t]) & EXPONENT) + EXPONENT_ONE;
        return acc < 0;
    }

    private int firstNonFinite64(int n) {
        for (int t = 0; t < n; t++) {
            if (!Double.isFinite(data64.get(offset + t))) return t;
        }
        return -1;
    }

    @Override
    public String toString() {
        return (isFloat64() ? "Features(float64)" : "Features") + shape();
    }
}
