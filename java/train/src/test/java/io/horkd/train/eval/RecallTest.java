package io.horkd.train.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RecallTest {
    @Test
    void handWorkedExample() {
        // Gallery on a line: items 0, 1 (class 0) at x = 0, 1; items 2, 3 (class 1) at x = 10, 11.
        float[][] gallery = {{0}, {1}, {10}, {11}};
        int[] labels = {0, 0, 1, 1};
        // Query 0 sits near item 2 (class 1): its nearest non-twin is 2 (miss), then 3 (miss), then 1 (hit).
        float[][] queries = {{9.6f}, {0.2f}, {10.4f}, {0.4f}};
        // Query 1 (twin 1 excluded): nearest 0 -> hit at 1. Query 2 (twin 2 excluded): nearest 3 -> hit.
        // Query 3 (class 1, twin 3 excluded): nearest 0, 1 (misses), then 2 -> hit at 3.
        assertArrayEquals(new double[] {0.5, 0.5, 1.0}, Evaluator.recallAtK(queries, gallery, labels, new int[] {1, 2, 3}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Evaluator.recallAtK(queries, gallery, labels, new int[] {4}));
    }

    /** Among themselves (queries as their own gallery, each one's self excluded), by cosine after normalising. */
    @Test
    void withinOneViewByCosine() {
        // Directions: items 0, 1 (class 0) near the x axis, 2, 3 (class 1) near the y axis, at very different lengths.
        float[][] f = {{1, 0.1f}, {100, 5}, {0.2f, 3}, {0.01f, 0.05f}, {0, 0}};
        float[][] n = Evaluator.normalized(f);
        assertArrayEquals(new float[] {1 / (float) Math.sqrt(1.01), 0.1f / (float) Math.sqrt(1.01)}, n[0], 1e-7f);
        assertArrayEquals(new float[] {0, 0}, n[4], 0f);
        int[] labels = {0, 0, 1, 1};
        float[][] four = java.util.Arrays.copyOf(f, 4);
        // By Euclidean distance the short item 3 is nearest item 0; by cosine it is nearest item 2.
        double[] cosine = Evaluator.recallAtK(Evaluator.normalized(four), Evaluator.normalized(four), labels, new int[] {1});
        double[] euclid = Evaluator.recallAtK(four, four, labels, new int[] {1});
        // Cosine: 0 -> 1, 1 -> 0, 2 -> 3, 3 -> 2, all hits.
        assertArrayEquals(new double[] {1.0}, cosine, 1e-12);
        // Euclidean: 0 -> 3 miss, 1 -> 0 hit, 2 -> 3 hit, 3 -> 0 miss.
        assertArrayEquals(new double[] {0.5}, euclid, 1e-12);
    }
}
