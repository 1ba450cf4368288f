package io.horkd.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    /** The bytes numpy.save writes for an array with this header dict and data. */
    private static byte[] npy(int major, String dict, ByteBuffer data) {
        String header = dict;
        int pre = major == 1 ? 10 : 12;
        int pad = (64 - (pre + header.length() + 1) % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(pre + header.length() + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) out.putShort((short) header.length());
        else out.putInt(header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return out.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void roundTripFloat32() throws IOException {
        float[] v = {1.5f, -2f, 3.25f, Float.MIN_VALUE, 1e30f, 0f};
        Path p = dir.resolve("a.npy");
        Npy.writeFloat32(p, v, 2, 3);
        Npy.Array a = Npy.read(p);
        assertEquals(Npy.DType.FLOAT32, a.dtype());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(v, a.toFloatArray(), 0f);
        byte[] raw = Files.readAllBytes(p);
        int headerEnd = 10 + (raw[8] & 0xff);
        assertEquals(0, headerEnd % 64, "numpy aligns the data to 64 bytes");
        assertTrue(new String(raw, 10, headerEnd - 10, StandardCharsets.ISO_8859_1)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        Npy.writeFloat32(p, v, 6);
        assertArrayEquals(new int[] {6}, Npy.read(p).shape());
    }

    @Test
    void roundTripInt32() throws IOException {
        int[] v = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 7, 3};
        Path p = dir.resolve("l.npy");
        Npy.writeInt32(p, v, 3, 2);
        Npy.Array a = Npy.read(p);
        assertEquals(Npy.DType.INT32, a.dtype());
        assertArrayEquals(new int[] {3, 2}, a.shape());
        assertArrayEquals(v, a.toIntArray());
        assertThrows(IllegalArgumentException.class, () -> Npy.writeInt32(p, v, 4));
    }

    @Test
    void readsEveryAcceptedTypeAndByteOrder() throws IOException {
        ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-7);
        Npy.Array a = Npy.read(file("f8.npy", npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                f8.flip())));
        assertArrayEquals(new float[] {0.1f, -7f}, a.toFloatArray(), 0f);
        ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(2.5f).putFloat(-1f);
        a = Npy.read(file("be.npy", npy(2, "{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", be.flip())));
        assertArrayEquals(new float[] {2.5f, -1f}, a.toFloatArray(), 0f);
        ByteBuffer i8 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(0).putLong(9);
        a = Npy.read(file("i8.npy", npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", i8.flip())));
        assertArrayEquals(new int[] {3, 0, 9}, a.toIntArray());
        ByteBuffer i4 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-5);
        a = Npy.read(file("i4.npy", npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", i4.flip())));
        assertEquals(0, a.shape().length);
        assertArrayEquals(new int[] {-5}, a.toIntArray());
    }

    @Test
    void refusesWhatItCannotRead() throws IOException {
        ByteBuffer two = ByteBuffer.allocate(4);
        var e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file("f2.npy",
                npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", two.duplicate()))));
        assertTrue(e.getMessage().endsWith("dtype '<f2' is not supported (use float32, float64, int32 or int64)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file("fo.npy",
                npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", ByteBuffer.allocate(4)))));
        assertTrue(e.getMessage().contains("Fortran-ordered arrays are not supported"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file("short.npy",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", ByteBuffer.allocate(8)))));
        assertTrue(e.getMessage().contains("shape [3] of <f4 needs 12 data bytes, the file has 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file("txt.npy",
                "not numpy".getBytes(StandardCharsets.US_ASCII))));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(dir.resolve("missing.npy")));
        assertTrue(e.getMessage().endsWith("missing.npy: no such file"), e.getMessage());
        Npy.Array floats = Npy.read(file("f.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                ByteBuffer.allocate(4))));
        e = assertThrows(IllegalArgumentException.class, floats::toIntArray);
        assertTrue(e.getMessage().contains("expected an integer array (int32 or int64), found float32"), e.getMessage());
    }
}
