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
}
