package io.horkd.core.tensor;

/**
 * The shape {@code C x H x W} of one sample's feature map (a network stage's output), whose values are
 * one row of {@link Features} ({@code C*H*W} columns, channel, then row, then column: NCHW order).
 */
public record MapShape(int channels, int height, int width) {
    public MapShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("map shape " + Shapes.format(channels, height, width) + " must be positive");
        }
    }

    /** {@code C*H*W}. */
    public int size() {
        return channels * height * width;
    }

    public int positions() {
        return height * width;
    }

    @Override
    public String toString() {
        return Shapes.format(channels, height, width);
    }
}
