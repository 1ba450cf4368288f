package io.horkd.train.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes network inputs from an {@link ImageSet}: each image augmented once, then seen at several
 * resolutions ({@link Degrade}; the teacher's HR view and the student's LR view of the same crop), each
 * standardised per channel by the training set's mean and standard deviation.
 *
 * @param mean per-channel mean of the training pixels
 * @param std  per-channel standard deviation
 */
public record Views(float[] mean, float[] std) {
    /** Statistics of {@code train}'s pixels. */
    public static Views standardising(ImageSet train) {
        int c = train.channels();
        int hw = train.height() * train.width();
        double[] s = new double[c];
        double[] ss = new double[c];
        float[] p = train.pixels();
        for (int i = 0; i < train.size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                int o = (i * c + ch) * hw;
                for (int j = 0; j < hw; j++) {
                    s[ch] += p[o + j];
                    ss[ch] += (double) p[o + j] * p[o + j];
                }
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double n = (double) train.size() * hw;
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = (float) (s[ch] / n);
            std[ch] = (float) Math.sqrt(Math.max(ss[ch] / n - (s[ch] / n) * (s[ch] / n), 1e-12));
        }
        return new Views(mean, std);
    }

    /** The images {@code idx} of {@code set} as they are (no augmentation), one array per view. */
    public INDArray[] plain(ImageSet set, int[] idx, Degrade... views) {
        return batch(set, idx, Augment.NONE, null, views);
    }

    /**
     * The images {@code idx} of {@code set}, augmented with {@code augment} (from {@code rnd}, one draw per
     * image, in order; unused, and may be null, without augmentation), as one float32 {@code [k, C, h, w]} array per view.
     */
    public INDArray[] batch(ImageSet set, int[] idx, Augment augment, SplittableRandom rnd, Degrade... views) {
        int c = set.channels();
        int h = set.height();
        int w = set.width();
        int d = set.imageSize();
        float[] base = new float[idx.length * d];
        if (augment.isIdentity()) {
            for (int i = 0; i < idx.length; i++) System.arraycopy(set.pixels(), idx[i] * d, base, i * d, d);
        } else {
            for (int i = 0; i < idx.length; i++) augment.apply(set.pixels(), idx[i] * d, base, i * d, c, h, w, rnd);
        }
        INDArray[] out = new INDArray[views.length];
        for (int v = 0; v < views.length; v++) {
            Degrade g = views[v];
            int oh = g.outSide(h);
            int ow = g.outSide(w);
            int od = c * oh * ow;
            float[] px = new float[idx.length * od];
            IntStream.range(0, idx.length).parallel().forEach(i -> {
                float[] img = java.util.Arrays.copyOfRange(base, i * d, (i + 1) * d);
                float[] r = g.apply(img, c, h, w);
                for (int ch = 0; ch < c; ch++) {
                    int o = i * od + ch * oh * ow;
                    for (int j = 0; j < oh * ow; j++) px[o + j] = (r[ch * oh * ow + j] - mean[ch]) / std[ch];
                }
            });
            out[v] = Nd4j.create(px, new long[] {idx.length, c, oh, ow}, DataType.FLOAT);
        }
        return out;
    }
}
