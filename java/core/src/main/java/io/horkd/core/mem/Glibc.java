package io.horkd.core.mem;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of glibc's {@code malloc_trim} and {@code mallopt}. Loading this class loads its JNI glue from this package's
 * {@code linux-x86_64} resource folder and throws where it is absent (a {@code -DskipNative} build, another
 * platform); use {@link NativeHeap}, which turns that into "unavailable".
 */
@Platform(include = "malloc.h")
public final class Glibc {
    static {
        Loader.load();
    }

    private Glibc() {}

    /** Returns the free memory of every arena to the system, keeping {@code pad} bytes at the top of the main one; 1 if any was returned. */
    public static native int malloc_trim(@Cast("size_t") long pad);

    /** {@code mallopt} parameters (malloc.h). */
    public static final int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8;

    /** Sets one of malloc's parameters for the whole process; 1 on success, 0 where the value is out of range. */
    public static native int mallopt(int param, int value);
}
