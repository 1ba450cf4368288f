package io.horkd.core.backend;

import io.horkd.core.backend.cpu.CpuBackend;
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
 *   <li>{@code cuda}: the CUDA kernels, where {@link CudaProbe} finds a device (this build has the device
 *       probe and the C API; the loss kernels are bound in the CUDA milestone, so it explains why it
 *       cannot run);</li>
 *   <li>{@code auto}: the fastest that runs here: {@code cpu} in this build, {@code cuda} once its loss
 *       kernels are bound and a device is present.</li>
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

    private static final class Cpu {
        static final CpuBackend INSTANCE = new CpuBackend();
    }

    private static final LossBackend REFERENCE = new ReferenceBackend();

    public static LossBackend reference() {
        return REFERENCE;
    }

    /** The shared CPU backend (one thread per processor). */
    public static CpuBackend cpu() {
        return Cpu.INSTANCE;
    }

    /**
     * The CUDA backend.
     *
     * @throws IllegalStateException saying why it cannot run here
     */
    public static LossBackend cuda() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.usable()) throw new IllegalStateException("the CUDA backend cannot run here: " + probe.reason());
        // The device probe works; the loss kernels themselves are bound in the CUDA-kernels milestone.
        throw new IllegalStateException("the CUDA backend cannot run here: this build has the CUDA device probe but "
                + "not yet the CUDA loss kernels (" + probe.reason() + ")");
    }

    /** The fastest backend that runs here (see the class comment). */
    public static LossBackend auto() {
        return cpu();
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
