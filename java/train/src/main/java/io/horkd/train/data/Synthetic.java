package io.horkd.train.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A small learnable image set for smoke tests and examples: three classes of bright vertical bars (left,
 * middle, right third of the image) in Gaussian noise, seeded.
 */
public final class Synthetic {
    private Synthetic() {}

    public static ImageSet bars(int n, int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * side * side];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            labels[i] = c;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    boolean bar = x * 3 / side == c;
                    px[i * side * side + y * side + x] = (float) Math.min(1, Math.max(0, (bar ? 0.7 : 0.3) + 0.15 * r.nextGaussian()));
                }
            }
        }
        return new ImageSet(px, labels, 1, side, side, List.of("left", "middle", "right"));
    }
}
