package io.horkd.core.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Static partitions of index ranges over a fixed pool of worker threads.
 *
 * <p>Static on purpose: each part is a fixed range decided by the sizes and the thread count, so the
 * same inputs give bit-identical results run after run (no work stealing decides summation orders).
 */
final class Parallel implements AutoCloseable {
    /** Work (in inner-loop element updates) below which forking costs more than it saves. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;

    private final int threads;
    private final ForkJoinPool pool;

    Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads - 1) : null; // the caller is the other thread
    }

    int threads() {
        return threads;
    }

    /** Number of parts worth using for {@code work} element updates over {@code n} indices. */
    int partsFor(int n, long work) {
        return work < MIN_PARALLEL_WORK ? 1 : Math.max(1, Math.min(threads, n));
    }

    /** A part of a partition: indices {@code [lo, hi)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int part, int lo, int hi);
    }

    /**
     * Runs {@code body} for each part {@code [bounds[p], bounds[p+1])}, in parallel, and waits for all.
     * The calling thread runs part 0 itself and the pool the others: at the sizes of a training step
     * (a few hundred microseconds of work) handing every part to the pool and parking the caller cost
     * more than the second core saved (measured: a 128 x 128 Gram took 2x longer on two threads).
     */
    void run(int[] bounds, RangeBody body) {
        int parts = bounds.length - 1;
        if (parts == 1 || pool == null) {
            for (int p = 0; p < parts; p++) body.run(p, bounds[p], bounds[p + 1]);
            return;
        }
        ForkJoinTask<?>[] forked = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            final int part = p;
            forked[p - 1] = pool.submit(() -> body.run(part, bounds[part], bounds[part + 1]));
        }
        Throwable failure = null;
        try {
            body.run(0, bounds[0], bounds[1]);
        } catch (Throwable t) {
            failure = t;
        }
        for (ForkJoinTask<?> f : forked) {
            try {
                f.join();
            } catch (Throwable t) {
                if (failure == null) failure = t;
                else failure.addSuppressed(t);
            }
        }
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** {@code parts} contiguous ranges of {@code [0, n)} of (nearly) equal length. */
    static int[] even(int n, int parts) {
        int[] bounds = new int[parts + 1];
        for (int p = 0; p <= parts; p++) bounds[p] = (int) ((long) n * p / parts);
        return bounds;
    }

    /** Ranges of {@code [0, m)} with equal sums of {@code m - i}: rows of an upper triangle. */
    static int[] triangular(int m, int parts) {
        int[] bounds = new int[parts + 1];
        double total = (double) m * (m + 1) / 2;
        int i = 0;
        double acc = 0;
        for (int p = 1; p < parts; p++) {
            double target = total * p / parts;
            while (i < m && acc + (m - i) <= target) acc += m - i++;
            bounds[p] = i;
        }
        bounds[parts] = m;
        return bounds;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdown();
    }
}
