package io.horkd.core.cpu;

import io.horkd.core.NativeGlue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether horkd's native CPU loops ({@link BatchNormNative}) can be used: their JNI glue is built for
 * linux-x86_64 (absent in a {@code -DskipNative} build or on another platform), and
 * {@code -Dhorkd.cpuNative=off} turns them off. Callers then run their Java twins, which give the same bits.
 */
public final class CpuNative {
    private static final Logger LOG = LoggerFactory.getLogger(CpuNative.class);

    private CpuNative() {}

    private static final class Holder {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            if ("off".equals(System.getProperty("horkd.cpuNative"))) return false;
            try {
                org.bytedeco.javacpp.Loader.load(BatchNormNative.class);
                return true;
            } catch (Throwable t) { // UnsatisfiedLinkError, or ExceptionInInitializerError wrapping it
                Throwable cause = NativeGlue.cause(t);
                LOG.info("native CPU loops unavailable, using their Java twins ({})", cause.toString());
                return false;
            }
        }
    }

    /** Whether the native loops loaded (decided once per JVM). */
    public static boolean available() {
        return Holder.AVAILABLE;
    }
}
