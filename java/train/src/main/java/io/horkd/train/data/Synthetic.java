package io.horkd.train.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A small learnable image set for smoke tests and examples: classes of bright vertical bars (by default
 * three: the left, middle or right third of the image) in Gaussian noise, seeded.
 */
public final class Synthetic {
    private Synthetic() {}

    public static ImageSet bars(int n, int side, long seed) {
        return bars(n, side, seed, 3);
    }

    /** {@code classes} classes, class c a bar in the c-th of {@code classes} vertical strips; named "left", "middle", "right" for three. */
    public static ImageSet bars(int n, int side, long seed, int classes) {
        if (classes < 2 || classes > side) throw new IllegalArgumentException("classes must be in 2.." + side + ", got " + classes);
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[n * side * side];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    boolean bar = x * classes / side == c;
                    px[i * side * side + y * side + x] = (float) Math.min(1, Math.max(0, (bar ? 0.7 : 0.3) + 0.15 * r.nextGaussian()));
                }
            }
        }
        List<String> names = classes == 3 ? List.of("left", "middle", "right")
                : java.util.stream.IntStream.range(0, classes).mapToObj(c -> "strip " + c).toList();
        return new ImageSet(px, labels, 1, side, side, names);
    }
}
