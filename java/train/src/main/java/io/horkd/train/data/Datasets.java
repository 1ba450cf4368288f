package io.horkd.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Loads the datasets horkd trains on: Fashion-MNIST (the embedded default, from Debian's
 * {@code dataset-fashion-mnist}), the CIFAR-10/100 binary format, and image folders (one folder per
 * class).
 */
public final class Datasets {
    /** Where Debian's {@code dataset-fashion-mnist} puts the IDX files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private Datasets() {}

    /** A train and a test split. */
    public record Split(ImageSet train, ImageSet test) {}

    /** Fashion-MNIST from {@code dir} (train-/t10k- images and labels, IDX, gzipped or not). */
    public static Split fashionMnist(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Fashion-MNIST not found at " + dir + ": install it with "
                    + "'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu), or give the folder holding "
                    + "train-images-idx3-ubyte[.gz] and the other three IDX files");
        }
        ImageSet train = idxPair(dir, "train");
        ImageSet test = idxPair(dir, "t10k");
        // Ten classes are Fashion-MNIST's; other IDX data (MNIST-like sets of one's own) gets numbered names.
        int classes = Math.max(max(train.labels()), max(test.labels())) + 1;
        List<String> names = classes == 10 ? FASHION_MNIST_CLASSES
                : java.util.stream.IntStream.range(0, classes).mapToObj(c -> "class " + c).toList();
        return new Split(new ImageSet(train.pixels(), train.labels(), 1, train.height(), train.width(), names),
                new ImageSet(test.pixels(), test.labels(), 1, test.height(), test.width(), names));
    }

    private static int max(int[] v) {
        int m = 0;
        for (int x : v) m = Math.max(m, x);
        return m;
    }

    private static ImageSet idxPair(Path dir, String prefix) {
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        try {
            Idx.Tensor im = Idx.read(images);
            Idx.Tensor lb = Idx.read(labels);
            if (im.dims().length != 3 || lb.dims().length != 1 || im.dims()[0] != lb.dims()[0]) {
                throw new IOException(images + " " + Arrays.toString(im.dims()) + " and " + labels + " "
                        + Arrays.toString(lb.dims()) + " do not form n images with n labels");
            }
            float[] px = new float[im.data().length];
            for (int i = 0; i < px.length; i++) px[i] = (im.data()[i] & 0xff) / 255f;
            int[] l = new int[lb.dims()[0]];
            List<String> names = new ArrayList<>();
            for (int i = 0; i < l.length; i++) {
                l[i] = lb.data()[i] & 0xff;
                while (names.size() <= l[i]) names.add("class " + names.size());
            }
            return new ImageSet(px, l, 1, im.dims()[1], im.dims()[2], names.size() <= 10 ? FASHION_MNIST_CLASSES : names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + images + " / " + labels + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code train} and {@code test} (one channel) as Fashion-MNIST's four gzipped IDX files in
     * {@code dir}, which {@link #fashionMnist} reads back (pixels rounded to bytes): a small dataset of
     * one's own in the default pipeline's format.
     */
    public static Path writeIdx(Path dir, ImageSet train, ImageSet test) throws IOException {
        Files.createDirectories(dir);
        Idx.write(dir, "train", train);
        Idx.write(dir, "t10k", test);
        return dir;
    }

    private static Path find(Path dir, String base) {
        for (String suffix : new String[] {"", ".gz"}) {
            Path p = dir.resolve(base + suffix);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IllegalStateException(dir + " has no " + base + " or " + base + ".gz");
    }

    /**
     * CIFAR-10 ({@code data_batch_1..5.bin}, {@code test_batch.bin}) or CIFAR-100 ({@code train.bin},
     * {@code test.bin}; fine labels) from the folder of the binary version.
     */
    public static Split cifar(Path dir) {
        if (Files.isRegularFile(dir.resolve("train.bin"))) {
            return new Split(cifarFiles(List.of(dir.resolve("train.bin")), true), cifarFiles(List.of(dir.resolve("test.bin")), true));
        }
        List<Path> train = new ArrayList<>();
        for (int i = 1; i <= 5; i++) train.add(dir.resolve("data_batch_" + i + ".bin"));
        if (!train.stream().allMatch(Files::isRegularFile) || !Files.isRegularFile(dir.resolve("test_batch.bin"))) {
            throw new IllegalStateException(dir + " holds neither CIFAR-100 (train.bin, test.bin) nor CIFAR-10 "
                    + "(data_batch_1..5.bin, test_batch.bin) in the binary version");
        }
        return new Split(cifarFiles(train, false), cifarFiles(List.of(dir.resolve("test_batch.bin")), false));
    }

    private static ImageSet cifarFiles(List<Path> files, boolean hundred) {
        int record = (hundred ? 2 : 1) + 3072;
        List<byte[]> parts = new ArrayList<>();
        int n = 0;
        for (Path f : files) {
            try {
                byte[] b = Files.readAllBytes(f);
                if (b.length % record != 0) throw new IllegalStateException(f + " is " + b.length + " bytes, not a multiple of the "
                        + record + "-byte CIFAR-" + (hundred ? "100" : "10") + " record");
                parts.add(b);
                n += b.length / record;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        float[] px = new float[n * 3072];
        int[] labels = new int[n];
        int i = 0;
        for (byte[] b : parts) {
            for (int r = 0; r < b.length / record; r++, i++) {
                int o = r * record;
                labels[i] = b[o + (hundred ? 1 : 0)] & 0xff;
                for (int k = 0; k < 3072; k++) px[i * 3072 + k] = (b[o + record - 3072 + k] & 0xff) / 255f;
            }
        }
        List<String> names = new ArrayList<>();
        if (hundred) {
            for (int c = 0; c < 100; c++) names.add("class" + c);
        } else {
            names.addAll(CIFAR10_CLASSES);
        }
        return new ImageSet(px, labels, 3, 32, 32, names);
    }

    /**
     * Images under {@code root/<class>/} (PNG, JPEG, BMP, GIF), classes in name order, resized to
     * {@code size x size} by area averaging where larger and bicubic where smaller; grey images give one
     * channel, others three.
     */
    public static ImageSet imageFolder(Path root, int size) {
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        if (classDirs.size() < 2) throw new IllegalStateException(root + " must hold one folder per class, found " + classDirs.size());
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int channels = -1;
        for (int c = 0; c < classDirs.size(); c++) {
            List<Path> files;
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + classDirs.get(c), e);
            }
            for (Path f : files) {
                BufferedImage img;
                try (InputStream in = Files.newInputStream(f)) {
                    img = ImageIO.read(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f, e);
                }
                if (img == null) throw new IllegalStateException(f + " is not an image ImageIO can read");
                int ch = img.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
                if (channels == -1) channels = ch;
                if (ch != channels) throw new IllegalStateException(f + " has " + ch + " channels, earlier images " + channels);
                float[] px = new float[ch * img.getHeight() * img.getWidth()];
                int hw = img.getHeight() * img.getWidth();
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        int rgb = img.getRGB(x, y);
                        int o = y * img.getWidth() + x;
                        if (ch == 1) {
                            px[o] = (rgb & 0xff) / 255f;
                        } else {
                            px[o] = ((rgb >> 16) & 0xff) / 255f;
                            px[hw + o] = ((rgb >> 8) & 0xff) / 255f;
                            px[2 * hw + o] = (rgb & 0xff) / 255f;
                        }
                    }
                }
                images.add(Resize.to(px, ch, img.getHeight(), img.getWidth(), size, size));
                labels.add(c);
            }
        }
        if (images.isEmpty()) throw new IllegalStateException(root + " holds no images");
        int d = channels * size * size;
        float[] all = new float[images.size() * d];
        for (int i = 0; i < images.size(); i++) System.arraycopy(images.get(i), 0, all, i * d, d);
        return new ImageSet(all, labels.stream().mapToInt(Integer::intValue).toArray(), channels, size, size,
                classDirs.stream().map(p -> p.getFileName().toString()).toList());
    }
}
