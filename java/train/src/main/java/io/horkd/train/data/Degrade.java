package io.horkd.train.data;

import io.horkd.train.data.Resize.Filter;

/**
 * The low-resolution view of an image: down-sampled by {@code factor} (area or bicubic), optionally
 * up-sampled back (bicubic) to the original size for the "same-size input" baseline. Factor 1 is the
 * identity (the high-resolution stream).
 */
public record Degrade(int factor, Filter filter, boolean upsample) {
    public static final Degrade NONE = new Degrade(1, Filter.AREA, false);

    public Degrade {
        if (factor < 1) throw new IllegalArgumentException("factor must be >= 1, got " + factor);
        if (filter == null) throw new IllegalArgumentException("filter must be given");
    }

    public static Degrade by(int factor) {
        return new Degrade(factor, Filter.AREA, false);
    }

    public boolean isIdentity() {
        return factor == 1;
    }

    /** Side of the down-sampled image (rounded, at least 1). */
    public int reduced(int side) {
        return Math.max(1, Math.round((float) side / factor));
    }

    /** Side of the output for an input side. */
    public int outSide(int side) {
        return upsample ? side : reduced(side);
    }

    /** The degraded image of a {@code C x H x W} image. */
    public float[] apply(float[] image, int c, int h, int w) {
        if (isIdentity()) return image;
        float[] small = Resize.resize(image, c, h, w, reduced(h), reduced(w), filter);
        return upsample ? Resize.resize(small, c, reduced(h), reduced(w), h, w, Filter.BICUBIC) : small;
    }

    /** A name for reports: "28px", "14px (area)", "7px up to 28 (bicubic)". */
    public String describe(int side) {
        if (isIdentity()) return side + "px";
        return reduced(side) + "px" + (upsample ? " up to " + side : "") + " (" + filter.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
