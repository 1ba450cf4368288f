package io.horkd.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1.0 to 3.0): float32, float64, int32 and int64, either byte
 * order, C order. Everything else is refused with a message that names the file and what was found, so
 * a user who saved the wrong array learns it at once. Writes are atomic (a temporary file moved into
 * place): a failed write leaves no half-written file.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** The element types horkd reads. */
    public enum DType {
        FLOAT32("f4", 4),
        FLOAT64("f8", 8),
        INT32("i4", 4),
        INT64("i8", 8);

        final String code;
        final int bytes;

        DType(String code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        public boolean isFloating() {
            return this == FLOAT32 || this == FLOAT64;
        }
    }

    /** A read array: its type, shape and the data, positioned at 0 and in the file's byte order. */
    public record Array(Path source, DType dtype, int[] shape, ByteBuffer data) {
        /** Number of elements (1 for a 0-d array). */
        public int size() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        /** Values as float32; floats are rounded from float64, integers converted. */
        public float[] toFloatArray() {
            float[] out = new float[size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (dtype) {
                    case FLOAT32 -> data.getFloat(i * 4);
                    case FLOAT64 -> (float) data.getDouble(i * 8);
                    case INT32 -> data.getInt(i * 4);
                    case INT64 -> data.getLong(i * 8);
                };
            }
            return out;
        }

        /**
         * Values as int32, for labels.
         *
         * @throws IllegalArgumentException for floating-point arrays and int64 values outside int32
         */
        public int[] toIntArray() {
            if (dtype.isFloating()) {
                throw new IllegalArgumentException(source + ": expected an integer array (int32 or int64), found "
                        + dtype.name().toLowerCase());
            }
            int[] out = new int[size()];
            for (int i = 0; i < out.length; i++) {
                if (dtype == DType.INT32) {
                    out[i] = data.getInt(i * 4);
                } else {
                    long v = data.getLong(i * 8);
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(source + ": value " + v + " at flat index " + i
                                + " does not fit in int32");
                    }
                    out[i] = (int) v;
                }
            }
            return out;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    /** Reads a whole {@code .npy} file. */
    public static Array read(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        return parse(path, bytes);
    }

    static Array parse(Path path, byte[] bytes) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(path + ": not a .npy file (missing the \\x93NUMPY magic)");
        }
        int major = bytes[6] & 0xff;
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = le.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IllegalArgumentException(path + ": truncated .npy header");
            headerLen = le.getInt(8);
            headerStart = 12;
        } else {
            throw new IllegalArgumentException(path + ": unsupported .npy format version " + major + "." + bytes[7]);
        }
        if (headerLen < 0 || headerStart + (long) headerLen > bytes.length) {
            throw new IllegalArgumentException(path + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(path, DESCR, header, "descr");
        if ("True".equals(group(path, FORTRAN, header, "fortran_order"))) {
            throw new IllegalArgumentException(path + ": Fortran-ordered arrays are not supported; save "
                    + "np.ascontiguousarray(a) instead");
        }
        int[] shape = parseShape(path, group(path, SHAPE, header, "shape"));
        if (descr.length() != 3 || (descr.charAt(0) != '<' && descr.charAt(0) != '>' && descr.charAt(0) != '|')) {
            throw unsupported(path, descr);
        }
        DType dtype = null;
        for (DType t : DType.values()) {
            if (t.code.equals(descr.substring(1))) dtype = t;
        }
        if (dtype == null) throw unsupported(path, descr);
        long n = 1;
        for (int d : shape) n *= d;
        int dataStart = headerStart + headerLen;
        long need = n * dtype.bytes;
        if (bytes.length - dataStart != need) {
            throw new IllegalArgumentException(path + ": shape " + Arrays.toString(shape) + " of " + descr + " needs "
                    + need + " data bytes, the file has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice()
                .order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        return new Array(path, dtype, shape, data);
    }

    private static IllegalArgumentException unsupported(Path path, String descr) {
        return new IllegalArgumentException(path + ": dtype '" + descr
                + "' is not supported (use float32, float64, int32 or int64)");
    }

    private static String group(Path path, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IllegalArgumentException(path + ": .npy header has no valid '" + key + "': " + header.trim());
        return m.group(1);
    }

    private static int[] parseShape(Path path, String text) {
        String[] parts = text.split(",");
        int count = 0;
        int[] dims = new int[parts.length];
        for (String part : parts) {
            String s = part.trim();
            if (s.isEmpty()) continue;
            try {
                long v = Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
                if (v < 0 || v > Integer.MAX_VALUE) throw new NumberFormatException();
                dims[count++] = (int) v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(path + ": bad dimension '" + s + "' in shape (" + text + ")");
            }
        }
        return Arrays.copyOf(dims, count);
    }

    /** A shape as Python writes it: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
    static String pythonTuple(int... shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append(')').toString();
    }

    /** Writes float32 values of the given shape (C order), atomically. */
    public static void writeFloat32(Path path, float[] values, int... shape) throws IOException {
        ByteBuffer body = body(values.length, shape);
        for (float v : values) body.putFloat(v);
        write(path, "<f4", shape, body);
    }

    /** Writes int32 values (labels) of the given shape (C order), atomically. */
    public static void writeInt32(Path path, int[] values, int... shape) throws IOException {
        ByteBuffer body = body(values.length, shape);
        for (int v : values) body.putInt(v);
        write(path, "<i4", shape, body);
    }

    private static ByteBuffer body(int count, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != count) throw new IllegalArgumentException(count + " values cannot have shape " + Arrays.toString(shape));
        return ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void write(Path path, String descr, int[] shape, ByteBuffer body) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + pythonTuple(shape) + ", }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + body.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.put(body.array());
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".part");
        try {
            Files.write(tmp, out.array());
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
