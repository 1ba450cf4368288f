package io.horkd.train.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled images in memory: {@code n} images of {@code channels x height x width} float pixels in
 * [0, 1] (NCHW, one flat array), integer labels in {@code 0..classes-1} and the class names.
 */
public record ImageSet(float[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
    public ImageSet {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels of " + channels + "x" + height + "x" + width
                    + " images need " + (long) labels.length * channels * height * width + " pixels, got " + pixels.length);
        }
        classNames = List.copyOf(classNames);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", outside 0.." + (classNames.size() - 1));
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return classNames.size();
    }

    public int imageSize() {
        return channels * height * width;
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet select(int[] indices) {
        int d = imageSize();
        float[] p = new float[indices.length * d];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * d, p, i * d, d);
            l[i] = labels[indices[i]];
        }
        return new ImageSet(p, l, channels, height, width, classNames);
    }

    /**
     * The images of {@code classes} (indices into {@link #classNames}), in their order here, labelled by
     * their class's position in {@code classes}: {@code ofClasses(List.of(5, 7))} is a two-class set whose
     * label 0 is class 5.
     */
    public ImageSet ofClasses(List<Integer> classes) {
        int[] position = new int[classes()];
        Arrays.fill(position, -1);
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            int c = classes.get(i);
            if (c < 0 || c >= classes()) {
                throw new IllegalArgumentException("class " + c + " is outside 0.." + (classes() - 1) + " (" + classNames + ")");
            }
            if (position[c] >= 0) throw new IllegalArgumentException("class " + c + " is named twice in " + classes);
            position[c] = i;
            names.add(classNames.get(c));
        }
        int[] keep = java.util.stream.IntStream.range(0, size()).filter(i -> position[labels[i]] >= 0).toArray();
        ImageSet kept = select(keep);
        int[] relabelled = new int[keep.length];
        for (int i = 0; i < keep.length; i++) relabelled[i] = position[kept.labels[i]];
        return new ImageSet(kept.pixels, relabelled, channels, height, width, names);
    }

    /** The first {@code n} images (all if fewer). */
    public ImageSet head(int n) {
        int k = Math.min(n, size());
        int[] idx = new int[k];
        Arrays.setAll(idx, i -> i);
        return select(idx);
    }

    /** Images {@code indices} as a float32 {@code [k, C, H, W]} array. */
    public INDArray images(int[] indices) {
        int d = imageSize();
        float[] p = new float[indices.length * d];
        for (int i = 0; i < indices.length; i++) System.arraycopy(pixels, indices[i] * d, p, i * d, d);
        return Nd4j.create(p, new long[] {indices.length, channels, height, width}, DataType.FLOAT);
    }

    /** Labels {@code indices} as int32 {@code [k]}. */
    public INDArray labelIndices(int[] indices) {
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) l[i] = labels[indices[i]];
        return Nd4j.createFromArray(l);
    }

    /** Labels {@code indices} one-hot, float32 {@code [k, classes]}. */
    public INDArray oneHot(int[] indices) {
        float[] v = new float[indices.length * classes()];
        for (int i = 0; i < indices.length; i++) v[i * classes() + labels[indices[i]]] = 1;
        return Nd4j.create(v, new long[] {indices.length, classes()}, DataType.FLOAT);
    }

    /** The same labels with each image replaced by {@code f(image)} (which may change its size). */
    public ImageSet map(int newHeight, int newWidth, ImageOp f) {
        int d = imageSize();
        int nd = channels * newHeight * newWidth;
        float[] out = new float[size() * nd];
        java.util.stream.IntStream.range(0, size()).parallel().forEach(i -> {
            float[] img = Arrays.copyOfRange(pixels, i * d, (i + 1) * d);
            float[] r = f.apply(img, channels, height, width);
            if (r.length != nd) throw new IllegalStateException("image op returned " + r.length + " values, expected " + nd);
            System.arraycopy(r, 0, out, i * nd, nd);
        });
        return new ImageSet(out, labels, channels, newHeight, newWidth, classNames);
    }

    /** A per-image transformation of a {@code C x H x W} image. */
    @FunctionalInterface
    public interface ImageOp {
        float[] apply(float[] image, int channels, int height, int width);
    }
}
