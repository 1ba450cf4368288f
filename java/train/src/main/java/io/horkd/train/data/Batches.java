package io.horkd.train.data;

import java.util.SplittableRandom;

/**
 * Mini-batch orders: a seeded permutation per epoch (the same seed and epoch give the same order on
 * every run, which a resumed run relies on), last incomplete batch dropped when training.
 */
public final class Batches {
    private Batches() {}

    /** The shuffled batches of epoch {@code epoch}: {@code size / batch} index arrays of {@code batch}. */
    public static int[][] shuffled(int size, int batch, long seed, int epoch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be positive, got " + batch);
        if (size < batch) throw new IllegalArgumentException("a batch of " + batch + " needs at least as many images, got " + size);
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[][] out = new int[size / batch][batch];
        for (int b = 0; b < out.length; b++) System.arraycopy(perm, b * batch, out[b], 0, batch);
        return out;
    }

    /** All indices in order, in batches of at most {@code batch} (evaluation). */
    public static int[][] sequential(int size, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be positive, got " + batch);
        int[][] out = new int[(size + batch - 1) / batch][];
        for (int b = 0; b < out.length; b++) {
            int from = b * batch;
            int n = Math.min(batch, size - from);
            out[b] = new int[n];
            for (int i = 0; i < n; i++) out[b][i] = from + i;
        }
        return out;
    }
}
