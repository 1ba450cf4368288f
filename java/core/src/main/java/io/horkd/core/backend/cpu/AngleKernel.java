package io.horkd.core.backend.cpu;

import io.horkd.core.loss.AngleLoss;

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
 * <p>Precision: numerators and leg lengths come from the float64 Gram matrices (accurate even for legs
 * far shorter than the spread of the batch); the O(m^3) loop itself runs in float32.
 *
 * <p>Layout of the work: vertices j are split statically over threads, each with its own M (so O(T m^2)
 * memory and bit-identical results run to run for a given thread count). For each (j, k) the inner
 * loop runs over i through short passes that each store to one array: that is the form JDK 17's
 * auto-vectoriser accepts (a fused loop storing to several arrays stays scalar and is about 5x slower).
 * The pair i == k is excluded by zeroing r_jk in a private copy of row j for that pass; i == j drops
 * out because r_jj = 0.
 */
final class AngleKernel {
    private AngleKernel() {}

    /** The value; adds {@code coef * dL/dG} (symmetrised) to {@code k} when it is not null. */
    static double run(AngleLoss loss, GramSide gs, GramSide gt, double[] k, double coef, Parallel par) {
        int m = gs.m;
        double n = loss.reduction().tripletDivisor(m);
        float[] rs = gs.inverseDistances();
        float[] rt = gt.inverseDistances();
        boolean grad = k != null;
        int parts = par.partsFor(m, (long) m * m * m);
        double[] vertexValue = new double[m];
        float[][] mParts = new float[parts][];
        par.run(Parallel.even(m, parts), (part, lo, hi) -> {
            Worker w = new Worker(m, gs.gram, gt.gram, rs, rt, grad);
            for (int j = lo; j < hi; j++) vertexValue[j] = w.vertex(j);
            mParts[part] = w.mAcc;
        });
        double value = 0;
        for (double v : vertexValue) value += v; // vertex order: independent of the partition
        if (grad) {
            float[] mSum = mParts[0];
            for (int p = 1; p < parts; p++) {
                float[] other = mParts[p];
                for (int t = 0; t < mSum.length; t++) mSum[t] += other[t];
            }
            double scale = coef / n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) k[i * m + j] += scale * (mSum[i * m + j] + mSum[j * m + i]);
            }
        }
        return value / n;
    }

    /** One thread's state: private copies of the current vertex's rows and its accumulators. */
    private static final class Worker {
        final int m;
        final double[] gs;
        final double[] gt;
        final float[] rs;
        final float[] rt;
        final boolean grad;
        final float[] rsj;
        final float[] rtj;
        final float[] h;
        final float[] cs;
        final float[] e;
        final float[] bAcc;
        final float[] qAcc;
        final float[] mAcc;

        Worker(int m, double[] gs, double[] gt, float[] rs, float[] rt, boolean grad) {
            this.m = m;
            this.gs = gs;
            this.gt = gt;
            this.rs = rs;
            this.rt = rt;
            this.grad = grad;
            rsj = new float[m];
            rtj = new float[m];
            h = new float[m];
            cs = grad ? new float[m] : null;
            e = grad ? new float[m] : null;
            bAcc = grad ? new float[m] : null;
            qAcc = grad ? new float[m] : null;
            mAcc = grad ? new float[m * m] : null;
        }

        /** All triplets with vertex j; returns their Huber sum (not yet divided by N). */
        double vertex(int j) {
            int jOff = j * m;
            System.arraycopy(rs, jOff, rsj, 0, m);
            System.arraycopy(rt, jOff, rtj, 0, m);
            java.util.Arrays.fill(h, 0f);
            if (grad) {
                java.util.Arrays.fill(bAcc, 0f);
                java.util.Arrays.fill(qAcc, 0f);
            }
            double gsjj = gs[jOff + j];
            double gtjj = gt[jOff + j];
            for (int kk = 0; kk < m; kk++) {
                float rsk = rsj[kk];
                float rtk = rtj[kk];
                // kk == j has r = 0 on both sides; so does a leg degenerate on both: every angle is 0 - 0.
                if (rsk == 0f && rtk == 0f) continue;
                rsj[kk] = 0f;
                rtj[kk] = 0f;
                int kOff = kk * m;
                double cs0 = gsjj - gs[jOff + kk];
                double ct0 = gtjj - gt[jOff + kk];
                if (grad) {
                    cosines(gs, kOff, jOff, cs0, rsj, rsk, cs, m);
                    errors(gt, kOff, jOff, ct0, rtj, rtk, cs, e, m);
                    addHuber(e, h, m);
                    clamp(e, m);
                    addScaledProduct(e, rsj, rsk, mAcc, kOff, m);
                    addScaled(e, rsk, bAcc, m);
                    addProduct(e, cs, qAcc, m);
                } else {
                    addHuberOfDifference(gs, gt, kOff, jOff, cs0, ct0, rsj, rtj, rsk, rtk, h, m);
                }
                rsj[kk] = rsk;
                rtj[kk] = rtk;
            }
            double value = 0;
            for (int i = 0; i < m; i++) value += h[i];
            if (grad) finishVertex(j);
            return value;
        }

        /** The O(m) terms of vertex j: M_pj -= 2 (B_p + dsq_p), M_pp += dsq_p, M_jj += sum (B_p + dsq_p). */
        private void finishVertex(int j) {
            int jOff = j * m;
            float mjj = 0f;
            for (int p = 0; p < m; p++) {
                float r = rsj[p]; // 0 for p == j and degenerate legs: nothing to add
                if (r == 0f) continue;
                float b = r * bAcc[p];
                float dsq = -r * r * qAcc[p];
                mAcc[jOff + p] -= 2f * (b + dsq); // stands for M_pj: K = M + M^T makes the two equivalent
                mAcc[p * m + p] += dsq;
                mjj += b + dsq;
            }
            mAcc[jOff + j] += mjj;
        }
    }

    // Each pass below stores to exactly one array (see the class comment).

    /** cs[i] = (G_ki - G_ji + cs0) r_ji r_jk: the numerator in double (see GramSide), the rest in float. */
    private static void cosines(double[] g, int kOff, int jOff, double c0, float[] rj, float rk, float[] cs, int m) {
        for (int i = 0; i < m; i++) cs[i] = (float) (g[kOff + i] - g[jOff + i] + c0) * rj[i] * rk;
    }

    /** e[i] = cs[i] - (teacher cosine). */
    private static void errors(double[] g, int kOff, int jOff, double c0, float[] rj, float rk, float[] cs, float[] e,
            int m) {
        for (int i = 0; i < m; i++) e[i] = cs[i] - (float) (g[kOff + i] - g[jOff + i] + c0) * rj[i] * rk;
    }

    /** h[i] += huber(e[i]), branch-free: with t = min(|e|, 1), huber = t (|e| - t/2). */
    private static void addHuber(float[] e, float[] h, int m) {
        for (int i = 0; i < m; i++) {
            float ae = Math.abs(e[i]);
            float t = Math.min(ae, 1f);
            h[i] += t * (ae - 0.5f * t);
        }
    }

    /** e[i] = huber'(e[i]) = clip(e[i], -1, 1). */
    private static void clamp(float[] e, int m) {
        for (int i = 0; i < m; i++) e[i] = Math.max(-1f, Math.min(1f, e[i]));
    }

    /** acc[off + i] += a[i] * b[i] * s. */
    private static void addScaledProduct(float[] a, float[] b, float s, float[] acc, int off, int m) {
        for (int i = 0; i < m; i++) acc[off + i] += a[i] * b[i] * s;
    }

    /** acc[i] += a[i] * s. */
    private static void addScaled(float[] a, float s, float[] acc, int m) {
        for (int i = 0; i < m; i++) acc[i] += a[i] * s;
    }

    /** acc[i] += a[i] * b[i]. */
    private static void addProduct(float[] a, float[] b, float[] acc, int m) {
        for (int i = 0; i < m; i++) acc[i] += a[i] * b[i];
    }

    /** Value only, fused (one store stream): h[i] += huber(cos^g - cos^f). */
    private static void addHuberOfDifference(double[] gs, double[] gt, int kOff, int jOff, double cs0, double ct0,
            float[] rsj, float[] rtj, float rsk, float rtk, float[] h, int m) {
        for (int i = 0; i < m; i++) {
            float e = (float) (gs[kOff + i] - gs[jOff + i] + cs0) * rsj[i] * rsk
                    - (float) (gt[kOff + i] - gt[jOff + i] + ct0) * rtj[i] * rtk;
            float ae = Math.abs(e);
            float t = Math.min(ae, 1f);
            h[i] += t * (ae - 0.5f * t);
        }
    }
}
