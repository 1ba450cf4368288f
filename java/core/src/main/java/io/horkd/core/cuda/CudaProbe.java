package io.horkd.core.cuda;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides once per JVM whether the CUDA path can be used: the native library must load, be built with
 * CUDA, and see at least one device. Nothing else in horkd calls into CUDA before {@link #available()}
 * says yes.
 *
 * <p>What it meets in practice: a {@code -DskipNative} build or another platform (the library does not
 * load); a build without nvcc (the stub answers NO_CUDA); a machine without a driver (the statically
 * linked CUDA runtime loads and answers {@code cudaErrorInsufficientDriver}, 35). Setting the system
 * property {@code horkd.cuda=off} forces "unavailable" without loading anything.
 */
public final class CudaProbe {
    private static final Logger LOG = LoggerFactory.getLogger(CudaProbe.class);

    /** What the probe found. {@code reason} says why CUDA is unavailable, or names the devices. */
    public record Result(boolean libraryLoaded, boolean builtWithCuda, int deviceCount, int runtimeVersion,
            String reason) {
        public boolean usable() {
            return libraryLoaded && builtWithCuda && deviceCount > 0;
        }
    }

    private CudaProbe() {}

    private static final class Holder {
        static final Result RESULT = probe();
    }

    /** The probe's result, computed on first use. */
    public static Result result() {
        return Holder.RESULT;
    }

    /** True iff the CUDA backend can run here. */
    public static boolean available() {
        return result().usable();
    }

    private static Result probe() {
        if ("off".equalsIgnoreCase(System.getProperty("horkd.cuda", ""))) {
            return log(new Result(false, false, 0, 0, "disabled by -Dhorkd.cuda=off"));
        }
        final int version;
        final boolean withCuda;
        try {
            version = HorkdNative.horkd_version();
            withCuda = HorkdNative.horkd_built_with_cuda() != 0;
        } catch (Throwable t) { // UnsatisfiedLinkError, or ExceptionInInitializerError wrapping it
            Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
            return log(new Result(false, false, 0, 0, "native library not loaded: " + cause));
        }
        LOG.debug("libhorkd_cuda {} loaded (CUDA {})", version, withCuda ? "compiled in" : "not compiled in");
        if (!withCuda) return log(new Result(true, false, 0, 0, "libhorkd_cuda was built without CUDA (no nvcc)"));
        int runtime = HorkdNative.horkd_cuda_runtime_version();
        int[] count = new int[1];
        int status = HorkdNative.horkd_device_count(count);
        if (status != 0 || count[0] <= 0) {
            return log(new Result(true, true, 0, runtime,
                    "no CUDA device: " + HorkdStatus.of(status) + " " + HorkdNative.horkd_last_error()));
        }
        return log(new Result(true, true, count[0], runtime, count[0] + " CUDA device(s)"));
    }

    private static Result log(Result r) {
        LOG.debug("CUDA probe: {}", r);
        return r;
    }
}
