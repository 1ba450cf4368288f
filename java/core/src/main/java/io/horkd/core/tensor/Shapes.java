package io.horkd.core.tensor;

import java.util.Arrays;

/** Formatting and agreement checks for shapes, so every shape error reads the same way. */
public final class Shapes {
    private Shapes() {}

    /** {@code [2, 64, 128]}. */
    public static String format(long... dims) {
        return Arrays.toString(dims);
    }

    /** {@code [2, 64, 128]}. */
    public static String format(int... dims) {
        return Arrays.toString(dims);
    }

    /**
     * Throws unless {@code a} and {@code b} agree in batch and rows (the columns may differ: student and
     * teacher features of different widths are allowed). The message names both arguments and shapes.
     */
    public static void requireSameRows(String nameA, Features a, String nameB, Features b) {
        if (a.batch() != b.batch()) {
            throw new IllegalArgumentException(nameA + " " + a.shape() + " and " + nameB + " " + b.shape()
                    + " disagree in batch size (" + a.batch() + " vs " + b.batch() + ")");
        }
        if (a.rows() != b.rows()) {
            throw new IllegalArgumentException(nameA + " " + a.shape() + " and " + nameB + " " + b.shape()
                    + " disagree in row count m (" + a.rows() + " vs " + b.rows() + ")");
        }
    }

    /** Throws unless {@code a} and {@code b} have exactly the same shape. */
    public static void requireSameShape(String nameA, Features a, String nameB, Features b) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(nameA + " " + a.shape() + " and " + nameB + " " + b.shape()
                    + " must have the same shape");
        }
    }
}
