package io.horkd.core.backend;

import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.backend.cuda.CudaBackend;
import io.horkd.core.backend.reference.ReferenceBackend;
import io.horkd.core.cuda.CudaProbe;
import io.horkd.core.loss.LossBackend;
import java.util.Locale;

/**
 * Where the losses run. One shared instance per kind, created on first use.
 *
 * <ul>
 *   <li>{@code reference}: float64, exact, slow: the yardstick;</li>
 *   <li>{@code cpu}: fast float32 on all cores;</li>
 *   <li>{@code cuda}: the CUDA kernels, where {@link CudaProbe} finds a device (a GPU, or the emulated
 *       device when {@code -Dhorkd.cuda.library} names it);</li>
 *   <li>{@code auto}: {@code cuda} where a GPU can run it, else {@code cpu} (never the emulated device:
 *       it is there to test the kernels, not to be fast).</li>
 * </ul>
 */
public final class Backends {
    /** The backend kinds, by the names the CLI and configs use. */
    public enum Kind {
        AUTO,
        CPU,
        CUDA,
        REFERENCE;

        /** Parses {@code auto|cpu|cuda|reference}, case-insensitively. */
        public static Kind parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown backend '" + name + "': use auto, cpu, cuda or reference");
            }
        }
    }

    private Backends() {}

    /** The system property that sets the CPU backend's thread count (default: one per processor). */
    public static final String THREADS = "horkd.threads";

    private static final class Cpu {
        static final CpuBackend INSTANCE = new CpuBackend(threads());

        private static int threads() {
            String v = System.getProperty(THREADS);
            if (v == null) return Runtime.getRuntime().availableProcessors();
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("system property " + THREADS + " must be a positive integer, got '" + v + "'");
        }
    }

    private static final LossBackend REFERENCE = new ReferenceBackend();

    public static LossBackend reference() {
        return REFERENCE;
    }

    /** The shared CPU backend (one thread per processor, or {@value #THREADS} threads). */
    public static CpuBackend cpu() {
        return Cpu.INSTANCE;
    }

    private static CudaBackend cuda;

    /**
     * The shared CUDA backend (one workspace on the current device).
     *
     * @throws IllegalStateException saying why it cannot run here
     */
    public static synchronized LossBackend cuda() {
        if (cuda == null) cuda = CudaBackend.create(); // says why where CUDA cannot run
        return cuda;
    }

    /** {@link #cuda()} where a GPU can run it, else {@link #cpu()}. */
    public static LossBackend auto() {
        return CudaProbe.available() && !CudaProbe.result().emulated() ? cuda() : cpu();
    }

    /** The backend of a kind. */
    public static LossBackend of(Kind kind) {
        return switch (kind) {
            case AUTO -> auto();
            case CPU -> cpu();
            case CUDA -> cuda();
            case REFERENCE -> reference();
        };
    }
}
