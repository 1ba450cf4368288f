package io.horkd.core.cuda;

import io.horkd.core.NativeGlue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides once per JVM whether the CUDA path can be used: the native library must load, be built with
 * CUDA, and see at least one device. Nothing else in horkd calls into CUDA before {@link #available()}
 * says yes.
 *
 * <p>What it meets in practice: a {@code -DskipNative} build or another platform (the library is not in
 * the jar); a build without nvcc (the stub answers NO_CUDA); a machine without a driver (the statically
 * linked CUDA runtime loads and answers {@code cudaErrorInsufficientDriver}, 35); the emulated device
 * (only where {@link ExplicitLibrary} names it: it runs the kernels on the CPU, for tests, and
 * {@link io.horkd.core.backend.Backends#auto()} never picks it).
 * A library that is there but does not load is logged once at WARN with the reason, which
 * {@link Result#reason()} also carries. Setting the system property {@code horkd.cuda=off} forces
 * "unavailable" without loading anything.
 */
public final class CudaProbe {
    private static final Logger LOG = LoggerFactory.getLogger(CudaProbe.class);

    /**
     * What the probe found. {@code reason} says why CUDA is unavailable, or names the devices;
     * {@code library} is the file that was loaded (or asked for), or null.
     */
    public record Result(boolean libraryLoaded, boolean builtWithCuda, boolean emulated, int deviceCount,
            int runtimeVersion, String library, String reason) {
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

    /** True iff the CUDA backend can run here (on a GPU, or on the emulated device when asked for by name). */
    public static boolean available() {
        return result().usable();
    }

    private static Result probe() {
        if ("off".equalsIgnoreCase(System.getProperty("horkd.cuda", ""))) {
            return quiet(new Result(false, false, false, 0, 0, null, "disabled by -Dhorkd.cuda=off"));
        }
        Path explicit = ExplicitLibrary.path();
        final int version;
        final boolean withCuda;
        try {
            version = HorkdNative.horkd_version();
            withCuda = HorkdNative.horkd_built_with_cuda() != 0;
        } catch (Throwable t) { // UnsatisfiedLinkError, or ExceptionInInitializerError wrapping it
            Throwable cause = NativeGlue.cause(t);
            String where = explicit != null ? ExplicitLibrary.setting() : "the jar's libhorkd_cuda.so";
            Result r = new Result(false, false, false, 0, 0, explicit == null ? null : explicit.toString(),
                    "native library not loaded (" + where + "): " + cause);
            // Absent from the jar (-DskipNative, another platform) is a build choice; present and not loading is a fault.
            return explicit != null || bundled() ? warn(r) : quiet(r);
        }
        String library = loadedLibrary();
        if (explicit != null && library.contains("/") && !sameFile(explicit, library)) {
            return warn(new Result(true, false, false, 0, 0, library, ExplicitLibrary.setting() + " was asked for, but "
                    + library + " was loaded"));
        }
        boolean emulated = HorkdNative.horkd_emulated() != 0;
        LOG.debug("libhorkd_cuda {} loaded from {} ({})", version, library,
                emulated ? "emulated device" : withCuda ? "CUDA compiled in" : "built without CUDA");
        if (!withCuda) return quiet(new Result(true, false, false, 0, 0, library, "libhorkd_cuda was built without CUDA (no nvcc)"));
        int runtime = HorkdNative.horkd_cuda_runtime_version();
        int[] count = new int[1];
        int status = HorkdNative.horkd_device_count(count);
        if (status != 0 || count[0] <= 0) {
            return quiet(new Result(true, true, emulated, 0, runtime, library,
                    "no CUDA device: " + HorkdStatus.of(status) + " " + HorkdNative.horkd_last_error()));
        }
        String devices = emulated ? "the emulated CUDA device (kernels on the CPU; " + library + ")" : count[0] + " CUDA device(s)";
        Result r = new Result(true, true, emulated, count[0], runtime, library, devices);
        if (emulated) LOG.info("CUDA backend: {}", devices);
        return quiet(r);
    }

    /** Whether the jar carries the library for this platform. */
    private static boolean bundled() {
        return CudaProbe.class.getResource("linux-x86_64/libhorkd_cuda.so") != null;
    }

    /** The file the process mapped as libhorkd_cuda.so (Linux), or "libhorkd_cuda.so" where that is unknown. */
    private static String loadedLibrary() {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(l -> l.substring(l.indexOf('/') < 0 ? l.length() : l.indexOf('/')))
                    .filter(p -> p.endsWith("/libhorkd_cuda.so")).findFirst().orElse("libhorkd_cuda.so");
        } catch (IOException | RuntimeException e) {
            return "libhorkd_cuda.so";
        }
    }

    private static boolean sameFile(Path a, String b) {
        try {
            return a.toRealPath().equals(Path.of(b).toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Result quiet(Result r) {
        LOG.debug("CUDA probe: {}", r);
        return r;
    }

    private static Result warn(Result r) {
        LOG.warn("CUDA unavailable: {}", r.reason());
        return r;
    }
}
