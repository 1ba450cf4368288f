package io.horkd.train.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** The IDX format of MNIST and Fashion-MNIST (unsigned bytes only), plain or gzipped. */
final class Idx {
    private Idx() {}

    /** The dimensions and the bytes of an IDX file of unsigned bytes. */
    record Tensor(int[] dims, byte[] data) {}

    /** {@code prefix-images-idx3-ubyte.gz} and {@code prefix-labels-idx1-ubyte.gz} of a one-channel set. */
    static void write(Path dir, String prefix, ImageSet s) throws IOException {
        if (s.channels() != 1) throw new IllegalArgumentException("IDX images have one channel, this set has " + s.channels());
        try (java.io.DataOutputStream o = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))))) {
            o.writeInt(0x0803);
            o.writeInt(s.size());
            o.writeInt(s.height());
            o.writeInt(s.width());
            for (float v : s.pixels()) o.writeByte(Math.round(Math.min(1, Math.max(0, v)) * 255));
        }
        try (java.io.DataOutputStream o = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))))) {
            o.writeInt(0x0801);
            o.writeInt(s.size());
            for (int l : s.labels()) o.writeByte(l);
        }
    }

    static Tensor read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gz = raw.read() == 0x1f & raw.read() == 0x8b;
            raw.reset();
            DataInputStream in = new DataInputStream(gz ? new GZIPInputStream(raw, 1 << 16) : raw);
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08) {
                throw new IOException(file + " is not an IDX file of unsigned bytes (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int rank = magic & 0xff;
            int[] dims = new int[rank];
            long n = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                n *= dims[i];
            }
            if (n > Integer.MAX_VALUE) throw new IOException(file + " holds more than 2^31 values");
            byte[] data = new byte[(int) n];
            in.readFully(data);
            return new Tensor(dims, data);
        }
    }
}
