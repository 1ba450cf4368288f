package io.horkd.nd4j;

import io.horkd.core.backend.Backends;
import io.horkd.core.loss.LossBackend;
import java.util.Objects;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes horkd's ops runnable in ND4J. Users rarely call this: every horkd op and builder calls it on
 * first use. Call it yourself, before anything else touches ND4J, when the first thing your program
 * does with horkd's ops is {@code SameDiff.load} a graph that contains them.
 *
 * <p>What it does: sets the system property {@code opexec} to {@link HorkdOpExecutioner} (unless it is
 * already set), lets ND4J initialise, and checks that ND4J took it. If ND4J was initialised earlier
 * with its own executioner, horkd's ops cannot run in this JVM, and {@link #install()} says so and how
 * to fix it: call {@code HorkdNd4j.install()} first, or start the JVM with
 * {@code -Dopexec=io.horkd.nd4j.HorkdOpExecutioner}.
 *
 * <p>It also holds the backend on which horkd's float32 ops and DL4J losses run: {@code auto} (CUDA where
 * a device is found, else the CPU) unless the system property {@value #BACKEND} or
 * {@link #useBackend(Backends.Kind)} says otherwise.
 */
public final class HorkdNd4j {
    /** The property ND4J reads its op executioner class from. */
    public static final String OPEXEC = "opexec";

    /** The system property that picks the initial backend: auto, cpu, cuda or reference. */
    public static final String BACKEND = "horkd.backend";

    private static volatile boolean installed;
    private static volatile Backends.Kind backend = Backends.Kind.parse(System.getProperty(BACKEND, "auto"));

    private HorkdNd4j() {}

    /** Idempotent and thread-safe. @throws IllegalStateException if ND4J runs another executioner */
    public static void install() {
        if (installed) return;
        synchronized (HorkdNd4j.class) {
            if (installed) return;
            if (System.getProperty(OPEXEC) == null) System.setProperty(OPEXEC, HorkdOpExecutioner.class.getName());
            OpExecutioner executioner = Nd4j.getExecutioner(); // initialises ND4J if nothing has yet
            if (!(executioner instanceof HorkdOpExecutioner)) {
                throw new IllegalStateException("horkd's ops need ND4J to run io.horkd.nd4j.HorkdOpExecutioner, but ND4J "
                        + "was initialised with " + executioner.getClass().getName() + " before horkd was used. Call "
                        + "io.horkd.nd4j.HorkdNd4j.install() before anything else uses ND4J, or start the JVM with "
                        + "-Dopexec=io.horkd.nd4j.HorkdOpExecutioner");
            }
            HorkdOps.register();
            installed = true;
        }
    }

    /**
     * Runs horkd's float32 ops and DL4J losses on {@code kind} from now on (float64 always runs on the
     * reference). {@code CUDA} fails on first use where no device is found, saying why.
     */
    public static void useBackend(Backends.Kind kind) {
        backend = Objects.requireNonNull(kind, "kind");
    }

    /** The backend kind horkd's ops run on now. */
    public static Backends.Kind backendKind() {
        return backend;
    }

    /** The backend horkd's float32 ops run on now. */
    public static LossBackend backend() {
        return Backends.of(backend);
    }

    /** True once {@link #install()} succeeded. */
    public static boolean isInstalled() {
        return installed;
    }
}
