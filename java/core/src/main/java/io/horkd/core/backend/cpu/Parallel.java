package io.horkd.core.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

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
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
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

    /** Runs {@code body} for each part {@code [bounds[p], bounds[p+1])}, in parallel, and waits for all. */
    void run(int[] bounds, RangeBody body) {
        int parts = bounds.length - 1;
        if (parts == 1 || pool == null) {
            for (int p = 0; p < parts; p++) body.run(p, bounds[p], bounds[p + 1]);
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            final int part = p;
            tasks.add(new RecursiveAction() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void compute() {
                    body.run(part, bounds[part], bounds[part + 1]);
                }
            });
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            ForkJoinTask.invokeAll(tasks);
        } else {
            pool.invoke(new RecursiveAction() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void compute() {
                    invokeAll(tasks);
                }
            });
        }
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
