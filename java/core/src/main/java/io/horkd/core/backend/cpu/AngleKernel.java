package io.horkd.core.backend.cpu;

import io.horkd.core.loss.AngleLoss;
import java.util.Arrays;

/**
 * L3, the triplet-angle Huber loss, on one problem: O(m^3) scalar work over O(m^2) memory.
 *
 * <p>Forward, for vertex j and legs i, k (all distinct), from the Gram matrix G and the inverse leg
 * lengths {@code r} (0 for a leg without direction):
 * <pre>
 *   cos_ijk = (G_ik - G_ij - G_kj + G_jj) r_ij r_kj,      e = cos^g - cos^f,      L = sum huber(e) / N
 * </pre>
 * Backward, with {@code a = huber'(e)/N} and {@code A} the numerator: the angle depends on G through A
 * and through the two leg lengths, {@code r = sq^(-1/2)}, {@code sq_ij = G_ii + G_jj - 2 G_ij}:
 * <pre>
 *   dL/dA_ijk  = b_ijk = a r_ij r_kj           -> M_ik += b,  M_ij -= b,  M_kj -= b,  M_jj += b
 *   dL/dsq_ij += a A r_kj (-r_ij^3/2) = -a cos r_ij^2 / 2   (and the same for leg kj)
 * </pre>
 * Per vertex j the sums over the other leg collapse by the (i,k) symmetry of every term:
 * {@code B_i = sum_k b_ijk}, {@code Q_i = sum_k a_ijk cos_ijk}, and then for each leg p:
 * {@code M_pj -= 2 B_p}, {@code M_jj += sum_p B_p}, {@code dL/dsq_pj = -r_pj^2 Q_p}. Finally
 * {@code K = M + M^T} is dL/dG symmetrised and {@code dL/dg = K g_c} (one product, shared with L2).
 *
 * <p>Layout of the work: vertices j are split statically over threads, each with its own M (so O(T m^2)
 * memory and bit-identical results run to run for a given thread count), and taken in blocks of 8 per
 * row k (see {@link Worker}). For each (j, k) the inner
 * loop runs over i through short passes, each storing to one array and reading only row arrays indexed
 * by i: the form JDK 17's auto-vectoriser accepts. A fused loop storing to several arrays, a loop
 * mixing float and double, or one reading a flat array at two row offsets all stay scalar, 3 to 6
 * times slower. Everything is float64, so the loop adds no error of its own beyond double rounding.
 * The pair i == k is excluded by zeroing r_jk in a private copy of row j for that pass; i == j drops
 * out because r_jj = 0.
 */
final class AngleKernel {
    private AngleKernel() {}

    /** The value; adds {@code coef * dL/dG} (symmetrised) to {@code k} when it is not null. */
    static double run(AngleLoss loss, GramSide gs, GramSide gt, double[][] k, double coef, Parallel par) {
        int m = gs.m;
        double n = loss.reduction().tripletDivisor(m);
        double[][] rs = gs.inverseDistances();
        double[][] rt = gt.inverseDistances();
        boolean grad = k != null;
        int parts = par.partsFor(m, (long) m * m * m);
        double[] vertexValue = new double[m];
        double[][][] mParts = new double[parts][][];
        par.run(Parallel.even(m, parts), (part, lo, hi) -> {
            Worker w = new Worker(m, gs.gram, gt.gram, rs, rt, grad);
            w.vertices(lo, hi, vertexValue);
            mParts[part] = w.mAcc;
        });
        double value = 0;
        for (double v : vertexValue) value += v; // vertex order: independent of the partition
        if (grad) {
            double[][] mSum = mParts[0];
            for (int p = 1; p < parts; p++) {
                for (int i = 0; i < m; i++) addTo(mSum[i], mParts[p][i]);
            }
            double scale = coef / n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) k[i][j] += scale * (mSum[i][j] + mSum[j][i]);
            }
        }
        return value / n;
    }

    /**
     * One thread's state: its M, and for a block of up to {@link #BLOCK} vertices the private copies of
     * their rows of r and their per-vertex accumulators. Vertices are processed in blocks so that each
     * row k of G^g, G^f and M, read once from memory, serves the whole block: at m = 2048 the unblocked
     * loop streamed 96 MB per vertex and was memory-bound.
     */
    private static final class Worker {
        static final int BLOCK = 8;
        final int m;
        final double[][] gs;
        final double[][] gt;
        final double[][] rs;
        final double[][] rt;
        final boolean grad;
        final double[][] rsj;
        final double[][] rtj;
        final double[][] h;
        final double[][] bAcc;
        final double[][] qAcc;
        final double[] cs;
        final double[] e;
        final double[][] mAcc;

        Worker(int m, double[][] gs, double[][] gt, double[][] rs, double[][] rt, boolean grad) {
            this.m = m;
            this.gs = gs;
            this.gt = gt;
            this.rs = rs;
            this.rt = rt;
            this.grad = grad;
            rsj = new double[BLOCK][m];
            rtj = new double[BLOCK][m];
            h = new double[BLOCK][m];
            bAcc = grad ? new double[BLOCK][m] : null;
            qAcc = grad ? new double[BLOCK][m] : null;
            cs = new double[m];
            e = new double[m];
            mAcc = grad ? new double[m][m] : null;
        }

        /** All triplets with a vertex in [lo, hi); their Huber sums (not yet divided by N) into value[j]. */
        void vertices(int lo, int hi, double[] value) {
            for (int j0 = lo; j0 < hi; j0 += BLOCK) {
                int count = Math.min(BLOCK, hi - j0);
                for (int b = 0; b < count; b++) {
                    System.arraycopy(rs[j0 + b], 0, rsj[b], 0, m);
                    System.arraycopy(rt[j0 + b], 0, rtj[b], 0, m);
                    Arrays.fill(h[b], 0);
                    if (grad) {
                        Arrays.fill(bAcc[b], 0);
                        Arrays.fill(qAcc[b], 0);
                    }
                }
                for (int kk = 0; kk < m; kk++) {
                    for (int b = 0; b < count; b++) leg(j0 + b, b, kk);
                }
                for (int b = 0; b < count; b++) {
                    double sum = 0;
                    for (double v : h[b]) sum += v;
                    value[j0 + b] = sum;
                    if (grad) finishVertex(j0 + b, b);
                }
            }
        }

        /** The triplets (i, j, kk) for every i: vertex j (slot b of the block), second leg to kk. */
        private void leg(int j, int b, int kk) {
            double[] rsb = rsj[b];
            double[] rtb = rtj[b];
            double rsk = rsb[kk];
            double rtk = rtb[kk];
            // kk == j has r = 0 on both sides; so does a leg degenerate on both: every angle is 0 - 0.
            if (rsk == 0 && rtk == 0) return;
            rsb[kk] = 0;
            rtb[kk] = 0;
            double[] gsj = gs[j];
            double[] gtj = gt[j];
            double cs0 = gsj[j] - gsj[kk];
            double ct0 = gtj[j] - gtj[kk];
            cosines(gs[kk], gsj, cs0, rsb, rsk, cs, m);
            errors(gt[kk], gtj, ct0, rtb, rtk, cs, e, m);
            addHuber(e, h[b], m);
            if (grad) {
                clamp(e, m);
                addScaledProduct(e, rsb, rsk, mAcc[kk], m);
                addScaled(e, rsk, bAcc[b], m);
                addProduct(e, cs, qAcc[b], m);
            }
            rsb[kk] = rsk;
            rtb[kk] = rtk;
        }

        /** The O(m) terms of vertex j: M_pj -= 2 (B_p + dsq_p), M_pp += dsq_p, M_jj += sum (B_p + dsq_p). */
        private void finishVertex(int j, int b) {
            double[] mj = mAcc[j];
            double[] r = rsj[b];
            double mjj = 0;
            for (int p = 0; p < m; p++) {
                if (r[p] == 0) continue; // p == j and degenerate legs: nothing to add
                double bp = r[p] * bAcc[b][p];
                double dsq = -r[p] * r[p] * qAcc[b][p];
                mj[p] -= 2 * (bp + dsq); // stands for M_pj: K = M + M^T makes the two equivalent
                mAcc[p][p] += dsq;
                mjj += bp + dsq;
            }
            mj[j] += mjj;
        }
    }

    // Each pass below stores to exactly one array and reads row arrays at index i (see the class comment).

    /** cs[i] = (G_ki - G_ji + c0) r_ji r_jk. */
    private static void cosines(double[] gk, double[] gj, double c0, double[] rj, double rk, double[] cs, int m) {
        for (int i = 0; i < m; i++) cs[i] = (gk[i] - gj[i] + c0) * rj[i] * rk;
    }

    /** e[i] = cs[i] - (teacher cosine). */
    private static void errors(double[] gk, double[] gj, double c0, double[] rj, double rk, double[] cs, double[] e,
            int m) {
        for (int i = 0; i < m; i++) e[i] = cs[i] - (gk[i] - gj[i] + c0) * rj[i] * rk;
    }

    /** h[i] += huber(e[i]), branch-free: with t = min(|e|, 1), huber = t (|e| - t/2). */
    private static void addHuber(double[] e, double[] h, int m) {
        for (int i = 0; i < m; i++) {
            double ae = Math.abs(e[i]);
            double t = Math.min(ae, 1);
            h[i] += t * (ae - 0.5 * t);
        }
    }

    /** e[i] = huber'(e[i]) = clip(e[i], -1, 1). */
    private static void clamp(double[] e, int m) {
        for (int i = 0; i < m; i++) e[i] = Math.max(-1, Math.min(1, e[i]));
    }

    /** acc[i] += a[i] * b[i] * s. */
    private static void addScaledProduct(double[] a, double[] b, double s, double[] acc, int m) {
        for (int i = 0; i < m; i++) acc[i] += a[i] * b[i] * s;
    }

    /** acc[i] += a[i] * s. */
    private static void addScaled(double[] a, double s, double[] acc, int m) {
        for (int i = 0; i < m; i++) acc[i] += a[i] * s;
    }

    /** acc[i] += a[i] * b[i]. */
    private static void addProduct(double[] a, double[] b, double[] acc, int m) {
        for (int i = 0; i < m; i++) acc[i] += a[i] * b[i];
    }

    /** acc[i] += b[i]. */
    private static void addTo(double[] acc, double[] b) {
        for (int i = 0; i < acc.length; i++) acc[i] += b[i];
    }
}
