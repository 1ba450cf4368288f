package io.horkd.core.cuda;

import java.nio.file.Path;

/**
 * The {@code libhorkd_cuda.so} to load instead of the jar's, where one is named: by the system property
 * {@value #PROPERTY} or, failing that, the environment variable {@value #ENV}. This is how the emulated
 * CUDA device (cuda/emu, docs/CUDA-EMULATION.md) is chosen; nothing picks it on its own. Reading it
 * loads nothing, so {@link CudaProbe} can name it in its reasons even when loading fails.
 */
public final class ExplicitLibrary {
    /** System property naming a {@code libhorkd_cuda.so} to load instead of the jar's. */
    public static final String PROPERTY = "horkd.cuda.library";
    /** Environment variable naming a {@code libhorkd_cuda.so} to load instead of the jar's (the property wins). */
    public static final String ENV = "HORKD_CUDA_LIBRARY";

    private ExplicitLibrary() {}

    /** The named library, or null for the jar's. */
    public static Path path() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) v = System.getenv(ENV);
        return v == null || v.isBlank() ? null : Path.of(v.trim());
    }

    /** How it was named, for messages: {@code -Dhorkd.cuda.library=/x/libhorkd_cuda.so} or the variable. */
    public static String setting() {
        String v = System.getProperty(PROPERTY);
        return v != null && !v.isBlank() ? "-D" + PROPERTY + "=" + v : ENV + "=" + System.getenv(ENV);
    }
}
