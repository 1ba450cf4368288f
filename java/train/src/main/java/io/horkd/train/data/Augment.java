package io.horkd.train.data;

import java.util.SplittableRandom;

/**
 * Training-time augmentation, seeded: a random crop of the image padded by {@code pad} zero pixels on
 * every side (the CIFAR recipe; 0 turns it off) and a horizontal flip with probability 1/2.
 */
public record Augment(int pad, boolean flip) {
    public static final Augment NONE = new Augment(0, false);

    public Augment {
        if (pad < 0) throw new IllegalArgumentException("pad must be >= 0, got " + pad);
    }

    public boolean isIdentity() {
        return pad == 0 && !flip;
    }

    /** Augments image {@code src[from .. from + c*h*w)} into {@code dst[to ..)}, drawing from {@code rnd}. */
    public void apply(float[] src, int from, float[] dst, int to, int c, int h, int w, SplittableRandom rnd) {
        int dy = pad == 0 ? 0 : rnd.nextInt(2 * pad + 1) - pad;
        int dx = pad == 0 ? 0 : rnd.nextInt(2 * pad + 1) - pad;
        boolean mirror = flip && rnd.nextBoolean();
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = (mirror ? w - 1 - x : x) + dx;
                    dst[to + plane + y * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : src[from + plane + sy * w + sx];
                }
            }
        }
    }
}
