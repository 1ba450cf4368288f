package io.horkd.core.tensor;

import java.nio.IntBuffer;
import java.util.Objects;

/** Class labels {@code [B, m]} in {@code 0..C-1}, one per feature row; a view over an int buffer. */
public final class Labels {
    private final IntBuffer data;
    private final int offset;
    private final int batch;
    private final int rows;

    private Labels(IntBuffer data, int offset, int batch, int rows) {
        this.data = data;
        this.offset = offset;
        this.batch = batch;
        this.rows = rows;
    }

    /** One problem's labels. */
    public static Labels of(int... labels) {
        return of(labels, 1, labels.length);
    }

    /** {@code B} problems of {@code m} labels, over exactly {@code B*m} values. */
    public static Labels of(int[] data, int batch, int rows) {
        Objects.requireNonNull(data, "labels");
        if (batch <= 0 || rows <= 0 || (long) batch * rows != data.length) {
            throw new IllegalArgumentException("labels of length " + data.length + " cannot be viewed as "
                    + Shapes.format(batch, rows));
        }
        return new Labels(IntBuffer.wrap(data), 0, batch, rows);
    }

    /** {@code B} problems over any int buffer, starting at absolute index {@code offset}. */
    public static Labels wrap(IntBuffer data, int offset, int batch, int rows) {
        Objects.requireNonNull(data, "labels");
        if (batch <= 0 || rows <= 0 || offset < 0 || offset + (long) batch * rows > data.capacity()) {
            throw new IllegalArgumentException("label buffer of capacity " + data.capacity() + " cannot hold "
                    + Shapes.format(batch, rows) + " from offset " + offset);
        }
        return new Labels(data, offset, batch, rows);
    }

    public int batch() {
        return batch;
    }

    public int rows() {
        return rows;
    }

    public int get(int b, int i) {
        return data.get(offset + b * rows + i);
    }

    public String shape() {
        return Shapes.format(batch, rows);
    }

    /** Problem {@code b}'s labels as a new array. */
    public int[] problem(int b) {
        int[] out = new int[rows];
        data.get(offset + b * rows, out, 0, rows);
        return out;
    }

    /** Largest label plus one (the smallest class count these labels fit). */
    public int inferClassCount() {
        int max = -1;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < rows; i++) max = Math.max(max, get(b, i));
        }
        return max + 1;
    }

    /**
     * Throws naming the position and value of the first label outside {@code 0..numClasses-1}; with
     * {@code numClasses <= 0} (class count unknown) only negative labels are rejected.
     */
    public void requireRange(String argument, int numClasses) {
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < rows; i++) {
                int v = get(b, i);
                if (v < 0 || (numClasses > 0 && v >= numClasses)) {
                    throw new IllegalArgumentException(argument + " " + shape() + " has label " + v + " at [" + b + ", "
                            + i + "], outside " + (numClasses > 0
                                    ? "0.." + (numClasses - 1) + " (" + numClasses + " classes)"
                                    : "0.. (labels are class indices)"));
                }
            }
        }
    }

    /** Throws unless these labels are {@code [B, m]} of the given features. */
    public void requireMatches(String argument, String featuresName, Features features) {
        if (batch != features.batch() || rows != features.rows()) {
            throw new IllegalArgumentException(argument + " " + shape() + " do not match " + featuresName + " "
                    + features.shape() + ": expected " + Shapes.format(features.batch(), features.rows()));
        }
    }

    @Override
    public String toString() {
        return "Labels" + shape();
    }
}
