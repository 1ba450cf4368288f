package io.horkd.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.MapShape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast path's map reads are the reference's pooling and channel means, to the bit, at any bin layout. */
class MapRowsTest {
    @Test
    void pooledMapsAndChannelMeansAreTheReferencesBitForBit() {
        SplittableRandom rnd = new SplittableRandom(7);
        MapShape t = new MapShape(3, 7, 9);
        int m = 4;
        float[] data = new float[m * t.size()];
        for (int q = 0; q < data.length; q++) data[q] = (float) (rnd.nextGaussian() * Math.exp(4 * rnd.nextGaussian()));
        Features f = Features.of(data, m, t.size());
        // unequal bins (7 -> 4, 9 -> 5), factor-2-like (7 -> 3), no pooling, one output
        for (int[] size : new int[][] {{4, 5}, {3, 4}, {7, 9}, {1, 1}, {7, 2}}) {
            MapRows rows = new MapRows(t, size[0], size[1]);
            for (int i = 0; i < m; i++) {
                double[] exact = new double[t.size()];
                for (int q = 0; q < exact.length; q++) exact[q] = data[i * t.size() + q];
                ReferenceMethods.Maps pooled = ReferenceMethods.adaptivePool(new ReferenceMethods.Maps(new double[][] {exact}, 3, 7, 9),
                        size[0], size[1]);
                rows.read(f, 0, i);
                double[] got = new double[pooled.data()[0].length];
                rows.pool(got);
                assertArrayEquals(pooled.data()[0], got, 0.0, "pool to " + size[0] + "x" + size[1]);
                int n = size[0] * size[1];
                double[] q = new double[n];
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < n; p++) q[p] += pooled.data()[0][c * n + p] * pooled.data()[0][c * n + p];
                }
                for (int p = 0; p < n; p++) q[p] /= 3;
                double[] mean = new double[n];
                rows.meanOfSquares(mean);
                assertArrayEquals(q, mean, 0.0, "mean of squares at " + size[0] + "x" + size[1]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new MapRows(t, 8, 9));
    }
}
