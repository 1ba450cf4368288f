package io.horkd.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CenterAccumulatorTest {
    @TempDir
    Path dir;

    @Test
    void meansPerClassWhateverTheBatching() throws IOException {
        SplittableRandom rnd = TestData.random(5);
        Features all = TestData.features(rnd, 1, 60, 7, 3, 100);
        Labels labels = TestData.labels(rnd, 1, 60, 4);
        CenterAccumulator once = new CenterAccumulator(4, 7);
        once.add(all, labels);
        CenterAccumulator inBatches = new CenterAccumulator(4, 7);
        float[] x = all.toArray();
        int[] l = labels.problem(0);
        for (int start = 0; start < 60; start += 15) { // 2 problems of 15 rows per call, 2 calls
            float[] chunk = java.util.Arrays.copyOfRange(x, start * 7, (start + 15) * 7);
            inBatches.add(Features.of(chunk, 1, 15, 7), Labels.of(java.util.Arrays.copyOfRange(l, start, start + 15)));
        }
        ClassCenters a = once.centers();
        ClassCenters b = inBatches.centers();
        assertArrayEquals(a.values().toArray(), b.values().toArray(), 0f);
        // Against a direct mean in double.
        for (int c = 0; c < 4; c++) {
            for (int k = 0; k < 7; k++) {
                double sum = 0;
                int n = 0;
                for (int i = 0; i < 60; i++) {
                    if (l[i] == c) {
                        sum += x[i * 7 + k];
                        n++;
                    }
                }
                assertEquals((float) (sum / n), a.values().get(0, c, k), 0f);
                assertEquals(n, once.count(c));
            }
        }
        Path p = dir.resolve("centers.npy");
        a.save(p);
        ClassCenters loaded = ClassCenters.load(p);
        assertEquals(4, loaded.numClasses());
        assertArrayEquals(a.values().toArray(), loaded.values().toArray(), 0f);
    }

    @Test
    void emptyClassesAndBadInputAreNamed() {
        CenterAccumulator acc = new CenterAccumulator(5, 2);
        acc.add(Features.of(new float[] {1, 2, 3, 4}, 2, 2), Labels.of(0, 3));
        var e = assertThrows(IllegalStateException.class, acc::centers);
        assertEquals("classes without samples, their centres are undefined: 1, 2, 4", e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> acc.add(Features.of(new float[] {1, 2}, 1, 2), Labels.of(5)));
        assertEquals("labels [1, 1] has label 5 at [0, 0], outside 0..4 (5 classes)", e2.getMessage());
        e2 = assertThrows(IllegalArgumentException.class,
                () -> acc.add(Features.of(new float[] {1, 2, 3}, 1, 3), Labels.of(0)));
        assertEquals("teacher [1, 1, 3] has width 3, this accumulator was made for width 2", e2.getMessage());
    }
}
