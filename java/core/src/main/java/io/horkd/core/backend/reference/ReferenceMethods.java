package io.horkd.core.backend.reference;

import java.util.Arrays;

/**
 * The distillation methods of {@code METHODS.md} beside HORKD (AT, the FitNet hint, DCT attention, SP, PKT
 * and DKD) in
 * float64, each value with its gradient with respect to the student's input: the definitions the fast
 * paths will be tested against, written for clarity and checked by finite differences. The weights of
 * METHODS.md (1000, 100, 3000, 30000, DKD's ramp) belong to the objective, not to these functions.
 *
 * <p>Feature maps are {@link Maps}: per sample one row of {@code C x H x W} values (channel, then row,
 * then column), as a contiguous NCHW tensor is laid out. Inputs are not modified.
 */
public final class ReferenceMethods {
    private ReferenceMethods() {}

    /** torch.nn.functional.normalize's floor on the norm, so that a zero vector stays zero. */
    static final double NORMALIZE_EPS = 1e-12;
    /** The epsilon RepDistiller's PKT adds to norms and probabilities. */
    static final double PKT_EPS = 1e-7;
    /** What mdistiller's DKD subtracts from the target class's tempered logit. */
    static final double DKD_MASK = 1000.0;

    /** Stage outputs of a mini-batch: {@code data[i]} is sample i's {@code C x H x W} map, row-major. */
    public record Maps(double[][] data, int channels, int height, int width) {
        public Maps {
            if (channels < 1 || height < 1 || width < 1) {
                throw new IllegalArgumentException("map shape [" + channels + ", " + height + ", " + width + "] must be positive");
            }
            for (int i = 0; i < data.length; i++) {
                if (data[i].length != channels * height * width) {
                    throw new IllegalArgumentException("sample " + i + " has " + data[i].length + " values, not C*H*W = "
                            + channels + "*" + height + "*" + width);
                }
            }
        }

        public int samples() {
            return data.length;
        }

        int positions() {
            return height * width;
        }

        double at(int i, int c, int y, int x) {
            return data[i][(c * height + y) * width + x];
        }
    }

    /** A value and dL/d(student input), shaped like that input. */
    public record Value(double value, double[][] dStudent) {}

    // ---------------------------------------------------------------------------------------------
    // Pooling: how a teacher map is brought to the student's size

    /**
     * Adaptive average pooling to {@code h x w}, with PyTorch's bins: output row r averages input rows
     * {@code floor(r H / h)} to {@code ceil((r + 1) H / h) - 1} (and the same for columns).
     */
    public static Maps adaptivePool(Maps t, int h, int w) {
        if (h > t.height() || w > t.width()) {
            throw new IllegalArgumentException("cannot pool a " + t.height() + "x" + t.width() + " map to " + h + "x" + w
                    + ": the student map must not be larger than the teacher's");
        }
        if (h == t.height() && w == t.width()) return t;
        double[][] out = new double[t.samples()][t.channels() * h * w];
        for (int i = 0; i < t.samples(); i++) {
            for (int c = 0; c < t.channels(); c++) {
                for (int r = 0; r < h; r++) {
                    int y0 = Math.floorDiv(r * t.height(), h);
                    int y1 = -Math.floorDiv(-(r + 1) * t.height(), h);
                    for (int q = 0; q < w; q++) {
                        int x0 = Math.floorDiv(q * t.width(), w);
                        int x1 = -Math.floorDiv(-(q + 1) * t.width(), w);
                        double s = 0;
                        for (int y = y0; y < y1; y++) {
                            for (int x = x0; x < x1; x++) s += t.at(i, c, y, x);
                        }
                        out[i][(c * h + r) * w + q] = s / ((y1 - y0) * (x1 - x0));
                    }
                }
            }
        }
        return new Maps(out, t.channels(), h, w);
    }

    private static Maps teacherAtStudentSize(Maps s, Maps t) {
        if (s.samples() != t.samples()) {
            throw new IllegalArgumentException("student has " + s.samples() + " samples, teacher " + t.samples());
        }
        return adaptivePool(t, s.height(), s.width());
    }

    // ---------------------------------------------------------------------------------------------
    // AT

    /**
     * Attention transfer at one stage (RepDistiller's {@code AT}, p = 2): {@code q_i = mean_c F_ic^2} over
     * the positions, {@code a_i = q_i / max(|q_i|, 1e-12)}, {@code L = mean_{i,p} (a^s_ip - a^t_ip)^2} with
     * the teacher pooled to the student's size. Backward, with {@code e = dL/da = 2 (a^s - a^t) / (m HW)}:
     * {@code dL/dq = (e - a (a . e)) / |q|} (or {@code e / 1e-12} under the floor),
     * {@code dL/dF_cp = dL/dq_p 2 F_cp / C}.
     */
    public static Value attention(Maps s, Maps t) {
        Maps tp = teacherAtStudentSize(s, t);
        int m = s.samples();
        int n = s.positions();
        double value = 0;
        double[][] ds = new double[m][s.data()[0].length];
        double[] dq = new double[n];
        for (int i = 0; i < m; i++) {
            value += attentionSample(channelMeanOfSquares(s, i), channelMeanOfSquares(tp, i), (double) m * n, dq);
            mapGradient(dq, s.data()[i], s.channels(), ds[i]);
        }
        return new Value(value / ((double) m * n), ds);
    }

    /**
     * One sample of AT from its channel means of squares {@code qs} (student) and {@code qt} (the pooled
     * teacher's): returns {@code sum_p (a^s_p - a^t_p)^2}, and into {@code dq} (if not null) the
     * gradient with respect to {@code qs} of that sum divided by {@code denominator}.
     */
    public static double attentionSample(double[] qs, double[] qt, double denominator, double[] dq) {
        int n = qs.length;
        double normS = norm(qs);
        double cs = 1 / Math.max(normS, NORMALIZE_EPS);
        double ct = 1 / Math.max(norm(qt), NORMALIZE_EPS);
        double sum = 0;
        double dot = 0;
        for (int p = 0; p < n; p++) {
            double as = qs[p] * cs;
            double diff = as - qt[p] * ct;
            sum += diff * diff;
            if (dq != null) {
                dq[p] = 2 * diff / denominator; // e = dL/da
                dot += as * dq[p];
            }
        }
        if (dq != null) {
            // dL/dq = (e - a (a . e)) / |q|, or e / 1e-12 under the floor
            for (int p = 0; p < n; p++) dq[p] = normS <= NORMALIZE_EPS ? dq[p] / NORMALIZE_EPS : (dq[p] - qs[p] * cs * dot) / normS;
        }
        return sum;
    }

    /** {@code dL/dF_cp = dL/dq_p 2 F_cp / C}, for {@code q = mean_c F_c^2} of one sample {@code f}. */
    static void mapGradient(double[] dq, double[] f, int channels, double[] df) {
        int n = dq.length;
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < n; p++) df[c * n + p] = dq[p] * 2 * f[c * n + p] / channels;
        }
    }

    /** {@code mean_c F_ic^2} at each position of sample i. */
    static double[] channelMeanOfSquares(Maps f, int i) {
        int n = f.positions();
        double[] q = new double[n];
        for (int c = 0; c < f.channels(); c++) {
            for (int p = 0; p < n; p++) {
                double v = f.data()[i][c * n + p];
                q[p] += v * v;
            }
        }
        for (int p = 0; p < n; p++) q[p] /= f.channels();
        return q;
    }

    // ---------------------------------------------------------------------------------------------
    // FitNet hint

    /**
     * The FitNet hint: {@code L = mean over all elements of (r - pool(F^t))^2}, where {@code r} is the
     * regressor's output on the student's map (its channels the teacher's, its size the student's).
     * {@code dL/dr = 2 (r - pool(F^t)) / N}. (The regressor's own gradient follows from dL/dr by the
     * network's autodiff.)
     */
    public static Value hint(Maps regressed, Maps t) {
        if (regressed.channels() != t.channels()) {
            throw new IllegalArgumentException("the regressor gives " + regressed.channels() + " channels, the teacher has "
                    + t.channels());
        }
        Maps tp = teacherAtStudentSize(regressed, t);
        int m = regressed.samples();
        int k = regressed.data()[0].length;
        double n = (double) m * k;
        double value = 0;
        double[][] dr = new double[m][k];
        for (int i = 0; i < m; i++) {
            for (int q = 0; q < k; q++) {
                double diff = regressed.data()[i][q] - tp.data()[i][q];
                value += diff * diff;
                dr[i][q] = 2 * diff / n;
            }
        }
        return new Value(value / n, dr);
    }

    /**
     * The hint through a 1x1 convolution {@code w [Ct][Cs]} (no bias) as regressor: {@code r_kp = sum_c
     * w_kc s_cp}, then {@link #hint}. Backward: {@code dL/ds_cp = sum_k w_kc dL/dr_kp}, {@code dL/dw_kc =
     * sum_{i,p} dL/dr_ikp s_icp}.
     */
    public static ReferenceLosses.Result hint(Maps s, double[][] w, Maps t) {
        int cs = s.channels();
        int ct = w.length;
        if (w[0].length != cs) {
            throw new IllegalArgumentException("regressor [" + ct + ", " + w[0].length + "] does not take " + cs + " channels");
        }
        int n = s.positions();
        double[][] r = new double[s.samples()][ct * n];
        for (int i = 0; i < s.samples(); i++) {
            for (int k = 0; k < ct; k++) {
                for (int c = 0; c < cs; c++) {
                    for (int p = 0; p < n; p++) r[i][k * n + p] += w[k][c] * s.data()[i][c * n + p];
                }
            }
        }
        Value v = hint(new Maps(r, ct, s.height(), s.width()), t);
        double[][] ds = new double[s.samples()][cs * n];
        double[][] dw = new double[ct][cs];
        for (int i = 0; i < s.samples(); i++) {
            for (int k = 0; k < ct; k++) {
                for (int c = 0; c < cs; c++) {
                    for (int p = 0; p < n; p++) {
                        double g = v.dStudent()[i][k * n + p];
                        ds[i][c * n + p] += w[k][c] * g;
                        dw[k][c] += g * s.data()[i][c * n + p];
                    }
                }
            }
        }
        return new ReferenceLosses.Result(v.value(), ds, dw);
    }

    // ---------------------------------------------------------------------------------------------
    // DCT attention (seed 003)

    /** The transform of the DCT attention method. */
    public enum Transform {
        /** The orthonormal 2-D DCT-II, {@code D_H A D_W^T} (METHODS.md's definition). */
        DCT,
        /** The real part of the 2-D DFT, what the official code computes (its comment calls it a DCT). */
        DFT_REAL
    }

    /**
     * DCT attention distillation at one stage (seed 003; the official {@code DFTOurs.py}): per sample the
     * attention map {@code A = mean_c F_c^2}, min-max normalised; its mean subtracted; the transform; for
     * the teacher, at its own size, only the top-left (low-frequency) {@code Hs x Ws} block kept; the
     * coefficients min-max normalised again, {@code C^s}, {@code C^t}; {@code L = (1/m) sum_i w_i
     * |C^s_i - C^t_i|_2}. {@code weights} are the {@code w_i} (1 where the teacher's top-1 is right:
     * {@link #teacherCorrect}), or null for all 1. Min-max of a constant map is 0; its gradient flows to
     * the first minimum and maximum. Backward: each step's chain rule in reverse (the transform's is its
     * transpose; the mean's subtracts the mean; {@link #minMaxBackward}).
     */
    public static Value dctAttention(Maps s, Maps t, Transform transform, double[] weights) {
        if (s.samples() != t.samples()) {
            throw new IllegalArgumentException("student has " + s.samples() + " samples, teacher " + t.samples());
        }
        if (s.height() > t.height() || s.width() > t.width()) {
            throw new IllegalArgumentException("student map " + s.height() + "x" + s.width() + " is larger than the teacher's "
                    + t.height() + "x" + t.width());
        }
        int m = s.samples();
        if (weights != null && weights.length != m) {
            throw new IllegalArgumentException(weights.length + " weights for " + m + " samples");
        }
        double value = 0;
        double[][] ds = new double[m][s.data()[0].length];
        double[] da = new double[s.positions()];
        for (int i = 0; i < m; i++) {
            double wi = weights == null ? 1 : weights[i];
            if (wi == 0) continue;
            value += wi * dctSample(channelMeanOfSquares(s, i), s.height(), s.width(), channelMeanOfSquares(t, i), t.height(),
                    t.width(), transform, wi / m, da);
            mapGradient(da, s.data()[i], s.channels(), ds[i]);
        }
        return new Value(value / m, ds);
    }

    /**
     * One sample of DCT attention from the channel means of squares {@code a} ({@code h x w}, student) and
     * {@code aT} ({@code ht x wt}, teacher, its own size): returns {@code |C^s - C^t|_2}, and into
     * {@code da} the gradient of {@code coef} times it with respect to {@code a} (zeros where it is 0).
     */
    public static double dctSample(double[] a, int h, int w, double[] aT, int ht, int wt, Transform transform, double coef,
            double[] da) {
        double[] an = minMax(a);
        double[] k = transform(centred(an), h, w, transform);
        double[] cs = minMax(k);
        double[] kt = transform(centred(minMax(aT)), ht, wt, transform);
        double[] ct = minMax(topLeft(kt, ht, wt, h, w));
        double[] e = new double[h * w];
        double sq = 0;
        for (int p = 0; p < e.length; p++) {
            e[p] = cs[p] - ct[p];
            sq += e[p] * e[p];
        }
        double dist = Math.sqrt(sq);
        if (coef == 0 || dist == 0) {
            Arrays.fill(da, 0);
            return dist;
        }
        double[] dc = scaled(e, coef / dist);
        double[] dk = minMaxBackward(k, cs, dc);
        double[] dan = centred(transformTransposed(dk, h, w, transform));
        System.arraycopy(minMaxBackward(a, an, dan), 0, da, 0, da.length);
        return dist;
    }

    /** {@code w_i} of the DCT method's gating: 1 where the teacher's top-1 class (first of ties) is the label. */
    public static double[] teacherCorrect(double[][] teacherLogits, int[] labels) {
        double[] w = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < teacherLogits[i].length; c++) {
                if (teacherLogits[i][c] > teacherLogits[i][best]) best = c;
            }
            w[i] = best == labels[i] ? 1 : 0;
        }
        return w;
    }

    /** {@code (x - min) / (max - min)}, all 0 for a constant x. */
    static double[] minMax(double[] x) {
        int lo = argMin(x);
        int hi = argMax(x);
        double r = x[hi] - x[lo];
        double[] y = new double[x.length];
        if (r == 0) return y;
        for (int k = 0; k < x.length; k++) y[k] = (x[k] - x[lo]) / r;
        return y;
    }

    /**
     * Backward of {@link #minMax}: {@code dx_k = g_k / r}, plus {@code (S2 - S1) / r} at the (first) minimum
     * and {@code -S2 / r} at the (first) maximum, with {@code S1 = sum g}, {@code S2 = sum g y}; 0 for a
     * constant x.
     */
    static double[] minMaxBackward(double[] x, double[] y, double[] g) {
        int lo = argMin(x);
        int hi = argMax(x);
        double r = x[hi] - x[lo];
        double[] dx = new double[x.length];
        if (r == 0) return dx;
        double s1 = 0;
        double s2 = 0;
        for (int k = 0; k < x.length; k++) {
            dx[k] = g[k] / r;
            s1 += g[k];
            s2 += g[k] * y[k];
        }
        dx[lo] += (s2 - s1) / r;
        dx[hi] -= s2 / r;
        return dx;
    }

    private static int argMin(double[] x) {
        int at = 0;
        for (int k = 1; k < x.length; k++) {
            if (x[k] < x[at]) at = k;
        }
        return at;
    }

    private static int argMax(double[] x) {
        int at = 0;
        for (int k = 1; k < x.length; k++) {
            if (x[k] > x[at]) at = k;
        }
        return at;
    }

    /** x minus its mean (also the backward of subtracting the mean). */
    private static double[] centred(double[] x) {
        double mean = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) out[k] = x[k] - mean;
        return out;
    }

    private static double[] topLeft(double[] x, int h, int w, int rows, int cols) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) System.arraycopy(x, r * w, out, r * cols, cols);
        return out;
    }

    /**
     * The 1-D transform matrix of size n, {@code M[u][x]}: the orthonormal DCT-II
     * {@code alpha_u cos(pi (2x + 1) u / 2n)}, or {@code cos(2 pi u x / n)} for the DFT's real part (which is
     * separable too: {@code Re(e^{-i(a+b)}) = cos a cos b - sin a sin b}, so the DFT uses its sine matrix as well).
     */
    private static double[][] basis(int n, Transform transform, boolean sine) {
        double[][] b = new double[n][n];
        for (int u = 0; u < n; u++) {
            for (int x = 0; x < n; x++) {
                if (transform == Transform.DCT) {
                    b[u][x] = Math.sqrt((u == 0 ? 1.0 : 2.0) / n) * Math.cos(Math.PI * (2 * x + 1) * u / (2.0 * n));
                } else {
                    double angle = 2 * Math.PI * (((long) u * x) % n) / n;
                    b[u][x] = sine ? Math.sin(angle) : Math.cos(angle);
                }
            }
        }
        return b;
    }

    /** K = T(A) for an h x w map: {@code D_H A D_W^T}, or {@code C_H A C_W^T - S_H A S_W^T} for the DFT's real part. */
    private static double[] transform(double[] a, int h, int w, Transform transform) {
        double[] k = sandwich(basis(h, transform, false), a, basis(w, transform, false), h, w, false);
        if (transform == Transform.DFT_REAL) {
            double[] sin = sandwich(basis(h, transform, true), a, basis(w, transform, true), h, w, false);
            for (int p = 0; p < k.length; p++) k[p] -= sin[p];
        }
        return k;
    }

    /** The transpose of {@link #transform}: {@code D_H^T K D_W} (and the same for the DFT's two terms). */
    private static double[] transformTransposed(double[] k, int h, int w, Transform transform) {
        double[] a = sandwich(basis(h, transform, false), k, basis(w, transform, false), h, w, true);
        if (transform == Transform.DFT_REAL) {
            double[] sin = sandwich(basis(h, transform, true), k, basis(w, transform, true), h, w, true);
            for (int p = 0; p < a.length; p++) a[p] -= sin[p];
        }
        return a;
    }

    /** {@code L X R^T} (or {@code L^T X R} when transposed) for an h x w matrix X stored row-major. */
    private static double[] sandwich(double[][] l, double[] x, double[][] r, int h, int w, boolean transposed) {
        double[] tmp = new double[h * w];
        for (int u = 0; u < h; u++) {
            for (int q = 0; q < w; q++) {
                double sum = 0;
                for (int y = 0; y < h; y++) sum += (transposed ? l[y][u] : l[u][y]) * x[y * w + q];
                tmp[u * w + q] = sum;
            }
        }
        double[] out = new double[h * w];
        for (int u = 0; u < h; u++) {
            for (int v = 0; v < w; v++) {
                double sum = 0;
                for (int q = 0; q < w; q++) sum += tmp[u * w + q] * (transposed ? r[q][v] : r[v][q]);
                out[u * w + v] = sum;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // SP

    /**
     * Similarity preserving (RepDistiller's {@code SP}): {@code G = F F^T} over the maps flattened per
     * sample, rows normalised ({@code max(|G_i|, 1e-12)}), {@code L = |G^t - G^s|_F^2 / m^2}. Backward:
     * {@code H = dL/dGhat^s = -2 (G^t - Ghat^s) / m^2}, {@code dL/dG_i = (H_i - Ghat_i (Ghat_i . H_i)) / |G_i|},
     * {@code dL/dF = (dG + dG^T) F}. The two sides' map shapes may differ: G is m x m either way.
     */
    public static Value similarity(Maps s, Maps t) {
        if (s.samples() != t.samples()) {
            throw new IllegalArgumentException("student has " + s.samples() + " samples, teacher " + t.samples());
        }
        int m = s.samples();
        double[][] gs = gram(s.data());
        double[][] gt = gram(t.data());
        double value = 0;
        double[][] dg = new double[m][];
        for (int i = 0; i < m; i++) {
            double ns = norm(gs[i]);
            double[] hs = scaled(gs[i], 1 / Math.max(ns, NORMALIZE_EPS));
            double[] ht = scaled(gt[i], 1 / Math.max(norm(gt[i]), NORMALIZE_EPS));
            double[] h = new double[m];
            for (int j = 0; j < m; j++) {
                double diff = ht[j] - hs[j];
                value += diff * diff;
                h[j] = -2 * diff / ((double) m * m);
            }
            dg[i] = normalizeBackward(hs, h, ns);
        }
        int k = s.data()[0].length;
        double[][] df = new double[m][k];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double w = dg[i][j] + dg[j][i];
                if (w == 0) continue;
                for (int q = 0; q < k; q++) df[i][q] += w * s.data()[j][q];
            }
        }
        return new Value(value / ((double) m * m), df);
    }

    // ---------------------------------------------------------------------------------------------
    // PKT

    /**
     * Probabilistic knowledge transfer (RepDistiller's {@code PKT}) on pooled features: {@code x_i = g_i /
     * (|g_i| + 1e-7)}, {@code S = (x x^T + 1) / 2}, rows normalised to sum 1 ({@code P = S / r}),
     * {@code L = mean_{ij} P^t_ij log((P^t_ij + e) / (P^s_ij + e))}, e = 1e-7. Backward:
     * {@code dL/dP^s_ij = -P^t_ij / (P^s_ij + e) / m^2}, {@code dL/dS_ij = (dP_ij - sum_k dP_ik P_ik) / r_i},
     * {@code dL/dx = (dS + dS^T) x / 2}, {@code dL/dg = h / (n + e) - g (g . h) / (n (n + e)^2)} with h = dL/dx
     * (0 for a zero vector).
     */
    public static Value pkt(double[][] g, double[][] f) {
        if (g.length != f.length) throw new IllegalArgumentException("student has " + g.length + " samples, teacher " + f.length);
        int m = g.length;
        double[][] xs = new double[m][];
        double[] norms = new double[m];
        for (int i = 0; i < m; i++) {
            norms[i] = norm(g[i]);
            xs[i] = scaled(g[i], 1 / (norms[i] + PKT_EPS));
        }
        double[][] xt = new double[m][];
        for (int i = 0; i < m; i++) xt[i] = scaled(f[i], 1 / (norm(f[i]) + PKT_EPS));
        double[][] ss = similarityHalf(xs);
        double[] rows = rowSums(ss);
        double[][] ps = rowNormalised(ss);
        double[][] pt = rowNormalised(similarityHalf(xt));
        double mm = (double) m * m;
        double value = 0;
        double[][] dsim = new double[m][m];
        for (int i = 0; i < m; i++) {
            double[] dp = new double[m];
            double dot = 0;
            for (int j = 0; j < m; j++) {
                value += pt[i][j] * Math.log((pt[i][j] + PKT_EPS) / (ps[i][j] + PKT_EPS));
                dp[j] = -pt[i][j] / (ps[i][j] + PKT_EPS) / mm;
                dot += dp[j] * ps[i][j];
            }
            for (int j = 0; j < m; j++) dsim[i][j] = (dp[j] - dot) / rows[i];
        }
        int d = g[0].length;
        double[][] dg = new double[m][d];
        for (int i = 0; i < m; i++) {
            double[] h = new double[d];
            for (int j = 0; j < m; j++) {
                double w = (dsim[i][j] + dsim[j][i]) / 2;
                for (int k = 0; k < d; k++) h[k] += w * xs[j][k];
            }
            double n = norms[i];
            if (n == 0) continue;
            double gh = 0;
            for (int k = 0; k < d; k++) gh += g[i][k] * h[k];
            for (int k = 0; k < d; k++) dg[i][k] = h[k] / (n + PKT_EPS) - g[i][k] * gh / (n * (n + PKT_EPS) * (n + PKT_EPS));
        }
        return new Value(value / mm, dg);
    }

    // ---------------------------------------------------------------------------------------------
    // DKD

    /**
     * Decoupled KD, as mdistiller's {@code dkd_loss} computes it: {@code p = softmax(z / T)}; the binary
     * split {@code b = [p_l, sum_{k != l} p_k]}; the non-target distribution {@code q = softmax(z / T -
     * 1000 onehot(l))}; {@code TCKD = T^2 / m sum_i KL(b^t || b^s)}, {@code NCKD = T^2 / m sum_i
     * KL(q^t || q^s)} (terms with a teacher probability of 0 count 0); {@code L = alpha TCKD + beta NCKD}.
     * Backward per sample, over T/m: TCKD gives {@code p_l - b^t_0} at the target and {@code p_k (1 - b^t_1
     * / b^s_1)} elsewhere; NCKD gives {@code q^s - q^t}.
     *
     * @return the value {@code alpha TCKD + beta NCKD} and its gradient
     */
    public static Value dkd(double[][] zs, double[][] zt, int[] labels, double alpha, double beta, double temperature) {
        int m = zs.length;
        if (zt.length != m || labels.length != m) {
            throw new IllegalArgumentException("logits " + m + " x ?, teacher " + zt.length + ", labels " + labels.length);
        }
        int classes = zs[0].length;
        double tt = temperature * temperature;
        double tckd = 0;
        double nckd = 0;
        double[][] dz = new double[m][classes];
        for (int i = 0; i < m; i++) {
            int l = labels[i];
            if (l < 0 || l >= classes) throw new IllegalArgumentException("label " + l + " of sample " + i + " is outside 0.." + (classes - 1));
            double[] ps = softmax(zs[i], temperature, -1);
            double[] pt = softmax(zt[i], temperature, -1);
            double bs1 = sumExcept(ps, l);
            double bt1 = sumExcept(pt, l);
            tckd += klTerm(pt[l], ps[l]) + klTerm(bt1, bs1);
            double[] qs = softmax(zs[i], temperature, l);
            double[] qt = softmax(zt[i], temperature, l);
            for (int k = 0; k < classes; k++) {
                nckd += klTerm(qt[k], qs[k]);
                double dt = k == l ? ps[l] - pt[l] : ps[k] * (1 - bt1 / bs1);
                dz[i][k] = temperature / m * (alpha * dt + beta * (qs[k] - qt[k]));
            }
        }
        return new Value(alpha * tt * tckd / m + beta * tt * nckd / m, dz);
    }

    /** {@code softmax(z / T - 1000 onehot(masked))}, or plain when masked < 0; in float64 via the max. */
    private static double[] softmax(double[] z, double temperature, int masked) {
        double[] u = new double[z.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < z.length; k++) {
            u[k] = z[k] / temperature - (k == masked ? DKD_MASK : 0);
            max = Math.max(max, u[k]);
        }
        double sum = 0;
        for (int k = 0; k < z.length; k++) sum += u[k] = Math.exp(u[k] - max);
        for (int k = 0; k < z.length; k++) u[k] /= sum;
        return u;
    }

    private static double sumExcept(double[] p, int l) {
        double s = 0;
        for (int k = 0; k < p.length; k++) {
            if (k != l) s += p[k];
        }
        return s;
    }

    /** {@code a log(a / b)}, 0 where a is 0. */
    private static double klTerm(double a, double b) {
        return a > 0 ? a * Math.log(a / b) : 0;
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    /** Backward of {@code a = q / max(|q|, eps)}: {@code (e - a (a . e)) / |q|}, or {@code e / eps} under the floor. */
    static double[] normalizeBackward(double[] a, double[] e, double norm) {
        double[] out = new double[e.length];
        if (norm <= NORMALIZE_EPS) {
            for (int p = 0; p < e.length; p++) out[p] = e[p] / NORMALIZE_EPS;
            return out;
        }
        double dot = 0;
        for (int p = 0; p < e.length; p++) dot += a[p] * e[p];
        for (int p = 0; p < e.length; p++) out[p] = (e[p] - a[p] * dot) / norm;
        return out;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    static double[] scaled(double[] v, double c) {
        double[] out = Arrays.copyOf(v, v.length);
        for (int k = 0; k < out.length; k++) out[k] *= c;
        return out;
    }

    private static double[][] gram(double[][] x) {
        int m = x.length;
        double[][] g = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) s += x[i][k] * x[j][k];
                g[i][j] = s;
            }
        }
        return g;
    }

    /** {@code (x x^T + 1) / 2}. */
    private static double[][] similarityHalf(double[][] x) {
        double[][] s = gram(x);
        for (double[] row : s) {
            for (int j = 0; j < row.length; j++) row[j] = (row[j] + 1) / 2;
        }
        return s;
    }

    private static double[] rowSums(double[][] s) {
        double[] r = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            for (double v : s[i]) r[i] += v;
        }
        return r;
    }

    private static double[][] rowNormalised(double[][] s) {
        double[] r = rowSums(s);
        double[][] p = new double[s.length][];
        for (int i = 0; i < s.length; i++) p[i] = scaled(s[i], 1 / r[i]);
        return p;
    }
}
