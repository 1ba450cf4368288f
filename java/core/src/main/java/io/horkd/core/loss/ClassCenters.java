package io.horkd.core.loss;

import io.horkd.core.io.Npy;
import io.horkd.core.tensor.Features;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Dataset-level class centres {@code u_c}, {@code [C, d]} in the teacher's feature space: one row per
 * class. Built by {@link CenterAccumulator}; stored as a float32 {@code .npy} file of shape {@code [C, d]}
 * (so PyTorch code can read and write them too).
 */
public final class ClassCenters {
    private final Features values;

    private ClassCenters(Features values) {
        this.values = values;
    }

    /** Centres over a heap array of exactly {@code numClasses * dim} values, row-major. */
    public static ClassCenters of(float[] data, int numClasses, int dim) {
        return new ClassCenters(Features.of(data, 1, numClasses, dim));
    }

    /** Centres over a {@code [1, C, d]} view (e.g. an INDArray's buffer). */
    public static ClassCenters wrap(Features values) {
        Objects.requireNonNull(values, "centers");
        if (values.batch() != 1) {
            throw new IllegalArgumentException("centers must be one [C, d] matrix, got " + values.shape());
        }
        return new ClassCenters(values);
    }

    /**
     * Batch-scope centres: the means of the rows of {@code features} per label, one row per class
     * present, in increasing label order (classes absent from the batch have no centre). In double.
     */
    public static double[][] meansOfPresentClasses(double[][] features, int[] labels) {
        int max = -1;
        for (int l : labels) max = Math.max(max, l);
        int d = features[0].length;
        double[][] sums = new double[max + 1][];
        int[] counts = new int[max + 1];
        for (int i = 0; i < features.length; i++) {
            int c = labels[i];
            if (sums[c] == null) sums[c] = new double[d];
            counts[c]++;
            for (int k = 0; k < d; k++) sums[c][k] += features[i][k];
        }
        int present = 0;
        for (int cnt : counts) present += cnt > 0 ? 1 : 0;
        double[][] out = new double[present][];
        int at = 0;
        for (int c = 0; c <= max; c++) {
            if (counts[c] == 0) continue;
            for (int k = 0; k < d; k++) sums[c][k] /= counts[c];
            out[at++] = sums[c];
        }
        return out;
    }

    /** Reads a float32 or float64 {@code .npy} of shape {@code [C, d]}. */
    public static ClassCenters load(Path path) throws IOException {
        Npy.Array a = Npy.read(path);
        if (a.shape().length != 2) {
            throw new IllegalArgumentException(path + ": class centres must be 2-d [C, d], got shape "
                    + java.util.Arrays.toString(a.shape()));
        }
        return of(a.toFloatArray(), a.shape()[0], a.shape()[1]);
    }

    /** Writes a float32 {@code .npy} of shape {@code [C, d]}. */
    public void save(Path path) throws IOException {
        Npy.writeFloat32(path, values.toArray(), numClasses(), dim());
    }

    public int numClasses() {
        return values.rows();
    }

    public int dim() {
        return values.cols();
    }

    /** The centres as a {@code [1, C, d]} view. */
    public Features values() {
        return values;
    }

    @Override
    public String toString() {
        return "ClassCenters[" + numClasses() + ", " + dim() + "]";
    }
}
