package io.horkd.core.cuda;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the C API in {@code cuda/include/horkd/horkd.h}, one Java method per C function.
 *
 * <p>Loading this class loads {@code libhorkd_cuda.so} and its JNI glue from this package's
 * {@code linux-x86_64} resource folder; it throws where they are absent (a {@code -DskipNative} build,
 * another platform). Do not touch it directly: ask {@link CudaProbe} first, which loads it once and
 * turns every failure into a reason.
 *
 * <p>Device pointers and streams travel as {@code long} addresses; status codes are those of
 * {@link HorkdStatus}.
 */
@Platform(include = "horkd/horkd.h", link = "horkd_cuda")
public final class HorkdNative {
    static {
        Loader.load();
    }

    private HorkdNative() {}

    public static native int horkd_version();

    public static native int horkd_built_with_cuda();

    public static native int horkd_cuda_runtime_version();

    public static native @Cast("const char*") String horkd_status_string(int status);

    public static native @Cast("const char*") String horkd_last_error();

    /** @param count one element, receives the device count */
    public static native int horkd_device_count(int[] count);

    public static native int horkd_center_rows(@Cast("const float*") long dX, @Cast("float*") long dOut,
            @Cast("float*") long dSqNorms, int batch, int m, int d, @Cast("horkd_stream") long stream);

    public static native int horkd_stream_synchronize(@Cast("horkd_stream") long stream);

    /** @param dPtr one element, receives the device address */
    public static native int horkd_malloc(@Cast("void**") long[] dPtr, long bytes);

    public static native int horkd_free(@Cast("void*") long dPtr);

    public static native int horkd_memcpy_h2d(@Cast("void*") long dDst, @Cast("const void*") long src, long bytes,
            @Cast("horkd_stream") long stream);

    public static native int horkd_memcpy_d2h(@Cast("void*") long dst, @Cast("const void*") long dSrc, long bytes,
            @Cast("horkd_stream") long stream);
}
