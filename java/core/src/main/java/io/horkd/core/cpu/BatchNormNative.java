package io.horkd.core.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of batch normalisation's per-channel loops ({@code src/main/cpp/horkd_batch_norm_cpu.h}:
 * what each computes, and why it gives the same bits on every CPU and as the Java fallback). Buffers must
 * be direct; offsets and the row stride are in elements. Loading this class loads its JNI glue and throws
 * where it is absent; use {@link CpuNative#available()}.
 */
@Platform(include = "horkd_batch_norm_cpu.h")
public final class BatchNormNative {
    static {
        Loader.load();
    }

    private BatchNormNative() {}

    /** out = {sum v, sum v^2, sum dy, sum dy v}, v = x - k, over one channel; dy may be null (then the last two are 0). */
    public static native void horkd_bn_sums_f32(@Cast("const float*") FloatBuffer x, long xOffset,
            @Cast("const float*") FloatBuffer dy, long dyOffset, int n, long stride, int hw, double k, double[] out);

    public static native void horkd_bn_sums_f64(@Cast("const double*") DoubleBuffer x, long xOffset,
            @Cast("const double*") DoubleBuffer dy, long dyOffset, int n, long stride, int hw, double k, double[] out);

    /** y = x scale + shift over one channel. */
    public static native void horkd_bn_normalize_f32(@Cast("const float*") FloatBuffer x, FloatBuffer y, long offset, int n,
            long stride, int hw, double scale, double shift);

    public static native void horkd_bn_normalize_f64(@Cast("const double*") DoubleBuffer x, DoubleBuffer y, long offset,
            int n, long stride, int hw, double scale, double shift);

    /** dx = g (dy - a - (x - mean) b) over one channel. */
    public static native void horkd_bn_dx_f32(@Cast("const float*") FloatBuffer x, @Cast("const float*") FloatBuffer dy,
            FloatBuffer dx, long offset, int n, long stride, int hw, double g, double a, double mean, double b);

    public static native void horkd_bn_dx_f64(@Cast("const double*") DoubleBuffer x, @Cast("const double*") DoubleBuffer dy,
            DoubleBuffer dx, long offset, int n, long stride, int hw, double g, double a, double mean, double b);
}
