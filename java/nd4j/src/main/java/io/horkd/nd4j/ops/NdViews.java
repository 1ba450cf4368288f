package io.horkd.nd4j.ops;

import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.tensor.MapShape;
import io.horkd.nd4j.Layouts;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * INDArrays as horkd's views, without copying where the array allows it: a float32 or float64 array in
 * C order with default strides is read and written in place through its native address
 * ({@code data().addressPointer()}, which is offset-correct for views, unlike {@code data().address()}).
 */
final class NdViews {
    private NdViews() {}

    /** True iff {@code a} can be viewed in place. */
    static boolean viewable(INDArray a) {
        return a.dataType() == DataType.FLOAT && Layouts.denseRowMajor(a);
    }

    /** True iff {@code a} is a dense row-major array of {@code type} (float32 or float64), written in place. */
    static boolean writable(INDArray a, DataType type) {
        return a.dataType() == type && (type == DataType.FLOAT || type == DataType.DOUBLE) && Layouts.denseRowMajor(a);
    }

    /**
     * {@code [m, d]} or {@code [B, m, d]} features in the given precision: over the array's own memory
     * where it is dense, row-major and of that precision, else over a C-order copy on the Java heap (a
     * direct buffer over an ND4J temporary would not keep it alive). Inputs only: outputs are always
     * allocated dense by SameDiff.
     */
    static Features features(INDArray a, String argument, boolean float64) {
        long[] sh = a.shape();
        if (sh.length != 2 && sh.length != 3) {
            throw new IllegalArgumentException(argument + " must be [m, d] or [B, m, d], got " + Arrays.toString(sh));
        }
        int batch = sh.length == 3 ? Math.toIntExact(sh[0]) : 1;
        return view(a, float64, batch, Math.toIntExact(sh[sh.length - 2]), Math.toIntExact(sh[sh.length - 1]));
    }

    /** {@code a}'s values as {@code [batch, rows, cols]} features: a view where possible, else a heap copy. */
    private static Features view(INDArray a, boolean float64, int batch, int rows, int cols) {
        DataType type = float64 ? DataType.DOUBLE : DataType.FLOAT;
        if (a.dataType() == type && Layouts.denseRowMajor(a)) {
            return float64 ? Features.wrap(doubleBuffer(a), 0, batch, rows, cols) : Features.wrap(buffer(a), 0, batch, rows, cols);
        }
        INDArray c = a.castTo(type).dup('c');
        return float64 ? Features.of(c.data().asDouble(), batch, rows, cols) : Features.of(c.data().asFloat(), batch, rows, cols);
    }

    /** A direct float buffer over the array's memory: the caller keeps the array reachable while it is used. */
    static FloatBuffer buffer(INDArray a) {
        FloatPointer p = new FloatPointer(a.data().addressPointer());
        long n = a.length();
        return p.capacity(n).limit(n).asBuffer();
    }

    /** {@code [m, C, H, W]} feature maps as {@code [1, m, C*H*W]} features, viewed or copied as {@link #features}. */
    static Features maps(INDArray a, String argument, boolean float64) {
        if (a.rank() != 4) {
            throw new IllegalArgumentException(argument + " must be [m, C, H, W], got " + Arrays.toString(a.shape()));
        }
        long[] sh = a.shape();
        return view(a, float64, 1, Math.toIntExact(sh[0]), Math.toIntExact(sh[1] * sh[2] * sh[3]));
    }

    /** The {@code C x H x W} of {@code [m, C, H, W]} maps. */
    static MapShape mapShape(INDArray a) {
        return new MapShape(Math.toIntExact(a.size(1)), Math.toIntExact(a.size(2)), Math.toIntExact(a.size(3)));
    }

    /** A direct double buffer over a float64 array's memory. */
    static DoubleBuffer doubleBuffer(INDArray a) {
        DoublePointer p = new DoublePointer(a.data().addressPointer());
        long n = a.length();
        return p.capacity(n).limit(n).asBuffer();
    }

    static Projection projection(INDArray p, boolean float64) {
        if (p.rank() != 2) throw new IllegalArgumentException("projection must be [dt, ds], got " + Arrays.toString(p.shape()));
        return Projection.wrap(features(p, "projection", float64));
    }

    static ClassCenters centers(INDArray c, boolean float64) {
        if (c.rank() != 2) throw new IllegalArgumentException("centers must be [C, dt], got " + Arrays.toString(c.shape()));
        return ClassCenters.wrap(features(c, "centers", float64));
    }

    /**
     * Labels for features of rank {@code featureRank}: integer class indices shaped like the features
     * without their last dimension, or one-hot (floating point, shaped like the features with C
     * columns). The class count of one-hot labels is their width; 0 (unknown) for indices.
     */
    static LabelsWithCount labels(INDArray l, int featureRank) {
        long[] sh = l.shape();
        if (l.dataType().isIntType() && l.rank() == featureRank - 1) {
            int batch = featureRank == 3 ? Math.toIntExact(sh[0]) : 1;
            int rows = Math.toIntExact(sh[sh.length - 1]);
            return new LabelsWithCount(Labels.of(l.castTo(DataType.INT).dup('c').data().asInt(), batch, rows), 0);
        }
        if (l.dataType().isFPType() && l.rank() == featureRank) {
            INDArray idx = l.argMax(featureRank - 1);
            int batch = featureRank == 3 ? Math.toIntExact(sh[0]) : 1;
            int rows = Math.toIntExact(sh[sh.length - 2]);
            return new LabelsWithCount(Labels.of(idx.castTo(DataType.INT).dup('c').data().asInt(), batch, rows),
                    Math.toIntExact(sh[sh.length - 1]));
        }
        throw new IllegalArgumentException("labels " + l.dataType() + " " + Arrays.toString(sh) + " must be integer class "
                + "indices of rank " + (featureRank - 1) + " or one-hot floating point of rank " + featureRank);
    }

    record LabelsWithCount(Labels labels, int numClasses) {}
}
