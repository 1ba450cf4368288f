package io.horkd.core.mem;

import io.horkd.core.NativeGlue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's C heap, where ND4J's arrays live, and its resident memory.
 *
 * <p>ND4J frees an array's buffer with {@code free()}, and glibc keeps the freed pages of its arenas
 * mapped, so a long training run's resident memory grows with every stage although little stays live
 * (benchmarks/RESULTS.md, "Memory": a 3-seed run grew to 14.4 GB). And ND4J frees a buffer only when the
 * Java collector finds its array unreachable, which a large Java heap with few small objects does rarely.
 * {@link #release()} does both: a collection, then {@link #trim()}, which hands the free pages back
 * ({@code malloc_trim(0)}); training calls it after each epoch. Where the JNI glue is absent or the C
 * library is not glibc, trimming does nothing and says so once.
 *
 * <p>Within an epoch the opposite is wanted: a training step frees and reallocates hundreds of MB of
 * activations, and glibc by default gives a thread arena's free heap back at once (a 64 MB {@code munmap}
 * about 18 times a step for the ResNet-14 teacher), so the next step page-faults all of it in again:
 * 3-8 million faults and up to 30 s of system time in a 20,000-image epoch (benchmarks/RESULTS.md,
 * "Page faults"). {@link #tune()} sets malloc to keep freed memory for reuse until {@link #trim()}.
 */
public final class NativeHeap {
    private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);
    private static final Path STATUS = Path.of("/proc/self/status");

    private NativeHeap() {}

    private static final class Holder {
        static final String UNAVAILABLE = probe();

        private static String probe() {
            try {
                org.bytedeco.javacpp.Loader.load(Glibc.class);
                if (!off("horkd.mallopt")) keepFreedMemory();
                return disabled() ? "disabled by -Dhorkd.trim=off" : null;
            } catch (Throwable t) { // UnsatisfiedLinkError, or ExceptionInInitializerError wrapping it
                Throwable cause = NativeGlue.cause(t);
                LOG.info("malloc is neither tuned for training nor trimmed (malloc_trim and mallopt unavailable: {})", cause.toString());
                return cause.toString();
            }
        }
    }

    /**
     * What {@link #tune()} sets, the values of benchmarks/run-cpu.sh's environment: a pad of 512 MB keeps a
     * thread arena's heaps (glibc frees a heap only when more than the pad would be left free) and the top of
     * the main one; a fixed mmap threshold of 32 MB (glibc's largest) serves activations from the heaps rather
     * than from fresh mappings; two arenas from now on, so that ND4J's threads share warm ones.
     */
    private static void keepFreedMemory() {
        int ok = Glibc.mallopt(Glibc.M_TOP_PAD, 512 << 20) & Glibc.mallopt(Glibc.M_TRIM_THRESHOLD, Integer.MAX_VALUE)
                & Glibc.mallopt(Glibc.M_MMAP_THRESHOLD, 32 << 20) & Glibc.mallopt(Glibc.M_ARENA_MAX, 2);
        if (ok != 1) LOG.info("malloc did not take every setting for training (mallopt returned 0)");
    }

    /**
     * Sets malloc up for training (see the class comment; {@code -Dhorkd.mallopt=off} leaves glibc's defaults).
     * Call it once before training; it is idempotent and cheap, and {@link #trim()} still hands pages back.
     */
    public static void tune() {
        available();
    }

    /** {@code -Dhorkd.trim=off}: neither {@link #release()} nor {@link #trim()} does anything (to measure what they cost). */
    private static boolean disabled() {
        return off("horkd.trim");
    }

    private static boolean off(String property) {
        return "off".equalsIgnoreCase(System.getProperty(property, ""));
    }

    /** Whether {@link #trim()} can hand memory back here. */
    public static boolean available() {
        return Holder.UNAVAILABLE == null;
    }

    /** How long {@link #release()} gives ND4J's deallocator threads after the collection, in ms. */
    private static final long DEALLOCATOR_WAIT_MS = 50;

    /**
     * Frees the buffers of ND4J's unreachable arrays and hands the free pages back: a full collection, a
     * short wait while ND4J's deallocator threads free what it found, then {@link #trim()}. About 0.1-0.3 s,
     * for calls between epochs, not steps.
     */
    public static boolean release() {
        if (disabled()) return false;
        System.gc();
        try {
            Thread.sleep(DEALLOCATOR_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return trim();
    }

    /** Hands the C heap's free pages back to the system; false where that is unavailable or nothing was free. */
    public static boolean trim() {
        return available() && Glibc.malloc_trim(0) != 0;
    }

    /** Resident memory of this process now, in bytes ({@code VmRSS}); -1 where the system does not say. */
    public static long residentBytes() {
        return status("VmRSS:");
    }

    /** The largest resident memory of this process so far, in bytes ({@code VmHWM}); -1 where the system does not say. */
    public static long peakResidentBytes() {
        return status("VmHWM:");
    }

    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) return 1024 * Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) { // not Linux, or a format this does not know
            return -1;
        }
        return -1;
    }
}
