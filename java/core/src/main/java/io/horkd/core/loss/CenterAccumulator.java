package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;

/**
 * Builds dataset-level {@link ClassCenters} from teacher features, batch by batch: running sums in
 * double and counts per class, so the result does not depend on how the data was batched (up to the
 * last bit of the final division) and loses nothing over millions of samples.
 *
 * <pre>{@code
 *   CenterAccumulator acc = new CenterAccumulator(numClasses, teacherDim);
 *   for (batch : trainingSet) acc.add(teacher.features(batch), batch.labels());
 *   ClassCenters centers = acc.centers();   // or acc.centers().save(path)
 * }</pre>
 */
public final class CenterAccumulator {
    private final int numClasses;
    private final int dim;
    private final double[] sums;
    private final long[] counts;

    public CenterAccumulator(int numClasses, int dim) {
        if (numClasses <= 0 || dim <= 0) {
            throw new IllegalArgumentException("numClasses and dim must be positive, got " + numClasses + " and " + dim);
        }
        this.numClasses = numClasses;
        this.dim = dim;
        this.sums = new double[Math.multiplyExact(numClasses, dim)];
        this.counts = new long[numClasses];
    }

    /** Adds every row of every problem of {@code teacher} to the sum of its label's class. */
    public void add(Features teacher, Labels labels) {
        if (teacher.cols() != dim) {
            throw new IllegalArgumentException("teacher " + teacher.shape() + " has width " + teacher.cols()
                    + ", this accumulator was made for width " + dim);
        }
        labels.requireMatches("labels", "teacher", teacher);
        labels.requireRange("labels", numClasses);
        teacher.requireFinite("teacher");
        for (int b = 0; b < teacher.batch(); b++) {
            for (int i = 0; i < teacher.rows(); i++) {
                int c = labels.get(b, i);
                int at = teacher.index(b, i, 0);
                int base = c * dim;
                for (int k = 0; k < dim; k++) sums[base + k] += teacher.buffer().get(at + k);
                counts[c]++;
            }
        }
    }

    public int numClasses() {
        return numClasses;
    }

    public int dim() {
        return dim;
    }

    /** Samples seen of class {@code c}. */
    public long count(int c) {
        return counts[c];
    }

    /**
     * The class means.
     *
     * @throws IllegalStateException naming the classes that have no samples (their centre is undefined)
     */
    public ClassCenters centers() {
        StringBuilder empty = new StringBuilder();
        for (int c = 0; c < numClasses; c++) {
            if (counts[c] == 0) empty.append(empty.length() == 0 ? "" : ", ").append(c);
        }
        if (empty.length() > 0) {
            throw new IllegalStateException("classes without samples, their centres are undefined: " + empty);
        }
        float[] out = new float[sums.length];
        for (int c = 0; c < numClasses; c++) {
            for (int k = 0; k < dim; k++) out[c * dim + k] = (float) (sums[c * dim + k] / counts[c]);
        }
        return ClassCenters.of(out, numClasses, dim);
    }
}
