package io.horkd.core.backend.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasUpper;

import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.LoggerFactory;

/**
 * The float64 products of {@link Gemm} on OpenBLAS (bytedeco's preset, the build ND4J loads, so a DL4J
 * process holds one copy): {@code dsyrk} for Gram matrices, {@code dgemm} for the rest. Still float64
 * on float32 inputs, so the products keep every digit {@link Gemm} explains; with them the distance loss
 * at d = 2048 ran 1.6-2.1x faster than with the Java loops here (benchmarks/RESULTS.md, "CPU: against PyTorch").
 *
 * <p>OpenBLAS splits a product over rows and columns, never over the depth, so every element is summed
 * in one order whatever its thread count: results stay bit-identical run to run (for one OpenBLAS
 * kernel; another CPU may pick another and round differently). Its own thread pool runs the products
 * ({@code OPENBLAS_NUM_THREADS}, default the cores), between, not beside, the backend's Java phases.
 *
 * <p>Off when the library cannot be loaded, or with {@code -Dhorkd.blas=off}: then {@link Gemm}'s Java
 * loops run everything.
 */
final class Blas {
    /** {@code -Dhorkd.blas=off} keeps the products in Java. */
    static final String PROPERTY = "horkd.blas";

    /** Staging buffers up to this many doubles (32 MB) are kept per thread for the next call; larger ones are freed. */
    private static final long KEEP = 4L << 20;

    private static final boolean AVAILABLE = load();
    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    private Blas() {}

    /** Whether OpenBLAS is loaded and allowed. */
    static boolean available() {
        return AVAILABLE;
    }

    private static boolean load() {
        if ("off".equalsIgnoreCase(System.getProperty(PROPERTY, ""))) return false;
        try {
            Loader.load(openblas_nolapack.class);
            return true;
        } catch (Throwable t) { // absent from the class path (NoClassDefFoundError) or without its natives (UnsatisfiedLinkError)
            LoggerFactory.getLogger(Blas.class).info("OpenBLAS not loaded ({}); the CPU backend's products run in Java", t.toString());
            return false;
        }
    }

    /** The upper triangle ({@code j >= i}) of {@code G = X X^T} into {@code g}; the lower one is left as it was. */
    static void gramUpper(double[][] x, double[][] g) {
        int m = x.length;
        int d = x[0].length;
        Staging s = STAGING.get();
        DoublePointer a = s.in(x, d);
        DoublePointer c = s.out((long) m * m);
        openblas_nolapack.cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, m, d, 1.0, a, d, 0.0, c, m);
        DoubleBuffer cb = c.asBuffer();
        for (int i = 0; i < m; i++) cb.get(i * m + i, g[i], i, m - i);
        s.release();
    }

    /** {@code C += A B} for {@code A [m][k]}, {@code B [k][n]}, {@code C [m][n]}. */
    static void multiplyAdd(double[][] a, double[][] b, double[][] c) {
        int m = a.length;
        int k = b.length;
        int n = b[0].length;
        Staging s = STAGING.get();
        DoublePointer pa = s.in(a, k);
        DoublePointer pb = s.second(b, n);
        DoublePointer pc = s.out((long) m * n);
        DoubleBuffer cb = pc.asBuffer();
        for (int i = 0; i < m; i++) cb.put(i * n, c[i], 0, n);
        openblas_nolapack.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, pa, k, pb, n, 1.0, pc, n);
        for (int i = 0; i < m; i++) cb.get(i * n, c[i], 0, n);
        s.release();
    }

    /** One thread's row-major copies of the operands (native memory, reused while small). */
    private static final class Staging {
        private final DoublePointer[] buffers = new DoublePointer[3];

        DoublePointer in(double[][] rows, int cols) {
            return fill(0, rows, cols);
        }

        DoublePointer second(double[][] rows, int cols) {
            return fill(1, rows, cols);
        }

        DoublePointer out(long size) {
            return buffer(2, size);
        }

        private DoublePointer fill(int slot, double[][] rows, int cols) {
            DoublePointer p = buffer(slot, (long) rows.length * cols);
            DoubleBuffer buf = p.asBuffer();
            for (int i = 0; i < rows.length; i++) buf.put(i * cols, rows[i], 0, cols);
            return p;
        }

        private DoublePointer buffer(int slot, long size) {
            DoublePointer p = buffers[slot];
            if (p == null || p.capacity() < size) {
                if (p != null) p.close();
                p = new DoublePointer(Math.max(size, 1));
                buffers[slot] = p;
            }
            return p.position(0).limit(size);
        }

        /** Frees the buffers too large to keep. */
        void release() {
            for (int i = 0; i < buffers.length; i++) {
                if (buffers[i] != null && buffers[i].capacity() > KEEP) {
                    buffers[i].close();
                    buffers[i] = null;
                }
            }
        }
    }
}
