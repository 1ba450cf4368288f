package io.horkd.core.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the C API in {@code cuda/include/horkd/horkd.h}, one Java method per C function.
 *
 * <p>Loading this class loads {@code libhorkd_cuda.so} and its JNI glue from this package's
 * {@code linux-x86_64} resource folder; it throws where they are absent (a {@code -DskipNative} build,
 * another platform). Do not touch it directly: ask {@link CudaProbe} first, which loads it once and
 * turns every failure into a reason.
 *
 * <p>Another build of the library (the emulated device of {@code cuda/emu}, or a build of one's own) is
 * loaded instead of the jar's where {@link ExplicitLibrary} names one; nothing else ever picks it.
 *
 * <p>Device pointers and streams travel as {@code long} addresses; status codes are those of
 * {@link HorkdStatus}.
 */
@Platform(include = "horkd/horkd.h", link = "horkd_cuda")
public final class HorkdNative {
    private static final String FILE_NAME = "libhorkd_cuda.so";

    static {
        Path explicit = ExplicitLibrary.path();
        if (explicit == null) {
            Loader.load();
        } else {
            if (!Files.isRegularFile(explicit) || !explicit.getFileName().toString().equals(FILE_NAME)) {
                throw new UnsatisfiedLinkError(ExplicitLibrary.setting() + ": not a file named " + FILE_NAME);
            }
            // Loaded here first, so that a library that does not load fails with its reason instead of
            // JavaCPP falling back to the jar's. JavaCPP then finds it first in the preload path, and the
            // JNI glue (from the jar) binds to the library already loaded under its name.
            System.load(explicit.toAbsolutePath().toString());
            Properties properties = new Properties();
            properties.putAll(Loader.loadProperties()); // a copy: the shared one serves ND4J too
            properties.setProperty("platform.preloadpath", explicit.toAbsolutePath().getParent().toString());
            Loader.load(HorkdNative.class, properties, true);
        }
    }

    private HorkdNative() {}

    public static native int horkd_version();

    public static native int horkd_built_with_cuda();

    public static native int horkd_emulated();

    public static native int horkd_cuda_runtime_version();

    public static native @Cast("const char*") String horkd_status_string(int status);

    public static native @Cast("const char*") String horkd_last_error();

    /** @param count one element, receives the device count */
    public static native int horkd_device_count(int[] count);

    public static native int horkd_center_rows(@Cast("const float*") long dX, @Cast("float*") long dOut,
            @Cast("float*") long dSqNorms, int batch, int m, int d, @Cast("horkd_stream") long stream);

    public static native int horkd_stream_synchronize(@Cast("horkd_stream") long stream);

    // Workspaces and losses: the host entry points take Java arrays (null for an absent argument);
    // the device entry points take device addresses (for callers whose data lives on the GPU).

    /** @param ws one element, receives the workspace handle */
    public static native int horkd_workspace_create(@Cast("horkd_workspace**") long[] ws);

    public static native int horkd_workspace_destroy(@Cast("horkd_workspace*") long ws);

    public static native int horkd_workspace_bytes(@Cast("horkd_workspace*") long ws, long[] deviceBytes,
            long[] pinnedBytes);

    public static native int horkd_relational_host(@Cast("horkd_workspace*") long ws, @Const float[] student,
            @Const float[] teacher, int batch, int m, int ds, int dt, int distance, int distanceReduction, int angle,
            int angleReduction, @Const double[] coefDistance, @Const double[] coefAngle, double[] valuesDistance,
            double[] valuesAngle, float[] gradStudent);

    public static native int horkd_center_host(@Cast("horkd_workspace*") long ws, @Const float[] student,
            @Const float[] teacher, int batch, int m, int ds, int dt, @Const int[] labels, int classes,
            @Const float[] centers, @Const float[] projection, @Const double[] coef, double[] values,
            float[] gradStudent, float[] gradProjection);

    public static native int horkd_pointwise_host(@Cast("horkd_workspace*") long ws, @Const float[] student,
            @Const float[] teacher, int batch, int m, int ds, int dt, int mse, @Const float[] projection,
            @Const double[] coef, double[] values, float[] gradStudent, float[] gradProjection);

    public static native int horkd_mmd_host(@Cast("horkd_workspace*") long ws, @Const float[] student,
            @Const float[] teacher, int batch, int m, int ds, int dt, @Const float[] projection, @Const double[] coef,
            double[] values, float[] gradStudent, float[] gradProjection);

    public static native int horkd_pairwise_constraint_host(@Cast("horkd_workspace*") long ws, @Const float[] student,
            @Const float[] teacher, int batch, int m, int ds, int dt, @Const double[] coef, double[] values,
            float[] gradStudent);

    public static native int horkd_hinton_host(@Cast("horkd_workspace*") long ws, @Const float[] student,
            @Const float[] teacher, int batch, int m, int classes, double temperature, @Const double[] coef,
            double[] values, float[] gradStudent);

    public static native int horkd_relational(@Cast("horkd_workspace*") long ws, @Cast("const float*") long dStudent,
            @Cast("const float*") long dTeacher, int batch, int m, int ds, int dt, int distance, int distanceReduction,
            int angle, int angleReduction, @Const double[] coefDistance, @Const double[] coefAngle,
            double[] valuesDistance, double[] valuesAngle, @Cast("float*") long dGradStudent,
            @Cast("horkd_stream") long stream);

    /** @param dPtr one element, receives the device address */
    public static native int horkd_malloc(@Cast("void**") long[] dPtr, long bytes);

    public static native int horkd_free(@Cast("void*") long dPtr);

    public static native int horkd_memcpy_h2d(@Cast("void*") long dDst, @Cast("const void*") long src, long bytes,
            @Cast("horkd_stream") long stream);

    public static native int horkd_memcpy_d2h(@Cast("void*") long dst, @Cast("const void*") long dSrc, long bytes,
            @Cast("horkd_stream") long stream);
}
