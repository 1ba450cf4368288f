package io.horkd.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.horkd.train.data.Resize.Filter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResizeTest {
    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble();
        return v;
    }

    @Test
    void areaByAnIntegerFactorIsTheBlockMean() {
        float[] img = random(1, 2 * 28 * 28);
        for (int k : new int[] {2, 4, 7}) {
            int s = 28 / k;
            float[] out = Resize.resize(img, 2, 28, 28, s, s, Filter.AREA);
            for (int c = 0; c < 2; c++) for (int y = 0; y < s; y++) for (int x = 0; x < s; x++) {
                double sum = 0;
                for (int dy = 0; dy < k; dy++) for (int dx = 0; dx < k; dx++) sum += img[c * 784 + (y * k + dy) * 28 + x * k + dx];
                assertEquals(sum / (k * k), out[(c * s + y) * s + x], 1e-6, "factor " + k + " at " + c + "," + y + "," + x);
            }
        }
    }

    @Test
    void bothFiltersKeepAConstantImageAndTheRangeOfOne() {
        float[] flat = new float[3 * 16 * 16];
        java.util.Arrays.fill(flat, 0.37f);
        for (Filter f : Filter.values()) {
            for (int[] size : new int[][] {{8, 8}, {5, 7}, {32, 24}}) {
                float[] out = Resize.resize(flat, 3, 16, 16, size[0], size[1], f);
                for (float v : out) assertEquals(0.37f, v, 1e-6, f + " " + size[0] + "x" + size[1]);
            }
        }
        // A checkerboard rings under bicubic: values are clamped to [0, 1].
        float[] board = new float[8 * 8];
        for (int i = 0; i < 64; i++) board[i] = ((i / 8 + i % 8) & 1);
        for (float v : Resize.resize(board, 1, 8, 8, 20, 20, Filter.BICUBIC)) assertEquals(0.5, v, 0.5 + 1e-7);
    }

    @Test
    void bicubicReproducesALinearRampAwayFromTheBorder() {
        int w = 32;
        float[] ramp = new float[w * w];
        for (int y = 0; y < w; y++) for (int x = 0; x < w; x++) ramp[y * w + x] = (float) (x + 0.5) / w;
        float[] out = Resize.resize(ramp, 1, w, w, 16, 16, Filter.BICUBIC);
        // Output pixel x covers input [2x, 2x + 2): its centre is at 2x + 1, value (2x + 1) / w; the cubic
        // reproduces linear functions wherever its support (8 input pixels when halving) fits inside.
        for (int y = 0; y < 16; y++) for (int x = 2; x < 14; x++) assertEquals((2 * x + 1.0) / w, out[y * 16 + x], 1e-6);
    }

    @Test
    void degradeAndItsUpsampledVariantHaveTheRightSizes() {
        float[] img = random(2, 28 * 28);
        Degrade half = Degrade.by(2);
        assertEquals(14 * 14, half.apply(img, 1, 28, 28).length);
        Degrade quarterUp = new Degrade(4, Filter.BICUBIC, true);
        assertEquals(28 * 28, quarterUp.apply(img, 1, 28, 28).length);
        assertEquals(7, quarterUp.reduced(28));
        assertArrayEquals(img, Degrade.NONE.apply(img, 1, 28, 28));
        assertEquals("14px (area)", half.describe(28));
        assertThrows(IllegalArgumentException.class, () -> Degrade.by(0));
        assertThrows(IllegalArgumentException.class, () -> Resize.resize(img, 1, 27, 28, 14, 14, Filter.AREA));
    }

    @Test
    void augmentationIsSeededAndPadsWithZeros() {
        float[] img = random(3, 2 * 6 * 6);
        Augment a = new Augment(2, true);
        float[] x = new float[img.length], y = new float[img.length];
        a.apply(img, 0, x, 0, 2, 6, 6, new SplittableRandom(9));
        a.apply(img, 0, y, 0, 2, 6, 6, new SplittableRandom(9));
        assertArrayEquals(x, y);
        float[] same = new float[img.length];
        Augment.NONE.apply(img, 0, same, 0, 2, 6, 6, new SplittableRandom(1));
        assertArrayEquals(img, same);
        // Every augmented value is an original pixel or a zero of the padding.
        java.util.Set<Float> allowed = new java.util.HashSet<>();
        for (float v : img) allowed.add(v);
        allowed.add(0f);
        for (int s = 0; s < 20; s++) {
            a.apply(img, 0, x, 0, 2, 6, 6, new SplittableRandom(s));
            for (float v : x) assertEquals(true, allowed.contains(v));
        }
    }

    @Test
    void batchesArePermutationsRepeatablePerEpoch() {
        int[][] a = Batches.shuffled(100, 32, 5, 0);
        assertEquals(3, a.length);
        assertArrayEquals(a[1], Batches.shuffled(100, 32, 5, 0)[1]);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int[] b : a) for (int i : b) seen.add(i);
        assertEquals(96, seen.size());
        assertEquals(false, java.util.Arrays.equals(a[0], Batches.shuffled(100, 32, 5, 1)[0]));
        int[][] s = Batches.sequential(10, 4);
        assertArrayEquals(new int[] {8, 9}, s[2]);
    }
}
