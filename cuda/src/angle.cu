// L3 forward and backward (see horkd/kernels/angle.cuh for the formulas and the two-pass layout).
#include "horkd/kernels/angle.cuh"
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/gemm.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kRowThreads = 256;

// Vertex pass: a block owns kVertexI consecutive i and kVertexJ consecutive vertices j; row k of both Gram
// matrices, read once (coalesced over i), serves all kVertexJ vertices.
constexpr int kVertexI = 128;
constexpr int kVertexJ = 8;
constexpr int kVertexK = 32;  // k per shared-memory stage

// Pair pass: 32 x 32 tiles of (i, k), 16 x 16 threads of 2 x 2 pairs each, vertices staged 16 at a time.
constexpr int kPairTile = 32;
constexpr int kPairJ = 16;

__device__ inline double sq_dist(const double* g, int m, int i, int j) {
    return g[static_cast<long long>(i) * m + i] + g[static_cast<long long>(j) * m + j] -
           2.0 * g[static_cast<long long>(i) * m + j];
}

__global__ void inverse_distances_kernel(const double* __restrict__ g, int m, double* __restrict__ r) {
    long long at = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (at >= static_cast<long long>(m) * m) return;
    int i = static_cast<int>(at / m);
    int j = static_cast<int>(at % m);
    double sq = sq_dist(g, m, i, j);
    r[at] = (i != j && sq >= kEps) ? 1.0 / sqrt(sq) : 0.0;
}

__global__ void __launch_bounds__(kVertexI) angle_vertex_kernel(const double* __restrict__ gs,
                                                                 const double* __restrict__ gt,
                                                                 const double* __restrict__ rs,
                                                                 const double* __restrict__ rt, int m,
                                                                 double* __restrict__ bv, double* __restrict__ qv,
                                                                 double* __restrict__ partials) {
    __shared__ double c0s[kVertexJ][kVertexK];  // G_jj - G_jk
    __shared__ double c0t[kVertexJ][kVertexK];
    __shared__ double rsk[kVertexJ][kVertexK];  // r_jk
    __shared__ double rtk[kVertexJ][kVertexK];
    __shared__ double scratch[32];
    const int i = blockIdx.x * kVertexI + threadIdx.x;
    const int j0 = blockIdx.y * kVertexJ;
    const bool live = i < m;

    double gsji[kVertexJ], rsji[kVertexJ], gtji[kVertexJ], rtji[kVertexJ];
    double h[kVertexJ], bacc[kVertexJ], qacc[kVertexJ];
#pragma unroll
    for (int jj = 0; jj < kVertexJ; ++jj) {
        int j = j0 + jj;
        bool ok = live && j < m;
        long long at = static_cast<long long>(j) * m + i;
        gsji[jj] = ok ? gs[at] : 0.0;
        rsji[jj] = ok ? rs[at] : 0.0;  // 0 also for i == j: every angle of that row vanishes
        gtji[jj] = ok ? gt[at] : 0.0;
        rtji[jj] = ok ? rt[at] : 0.0;
        h[jj] = bacc[jj] = qacc[jj] = 0.0;
    }
    for (int k0 = 0; k0 < m; k0 += kVertexK) {
        for (int e = threadIdx.x; e < kVertexJ * kVertexK; e += kVertexI) {
            int jj = e / kVertexK;
            int kk = e % kVertexK;  // consecutive threads: consecutive k of row j
            int j = j0 + jj;
            int k = k0 + kk;
            bool ok = j < m && k < m;
            long long jrow = static_cast<long long>(j) * m;
            c0s[jj][kk] = ok ? gs[jrow + j] - gs[jrow + k] : 0.0;
            c0t[jj][kk] = ok ? gt[jrow + j] - gt[jrow + k] : 0.0;
            rsk[jj][kk] = ok ? rs[jrow + k] : 0.0;  // 0 for k == j
            rtk[jj][kk] = ok ? rt[jrow + k] : 0.0;
        }
        __syncthreads();
        const int steps = min(kVertexK, m - k0);
        for (int kk = 0; kk < steps; ++kk) {
            const int k = k0 + kk;
            const double gsk = live ? gs[static_cast<long long>(k) * m + i] : 0.0;
            const double gtk = live ? gt[static_cast<long long>(k) * m + i] : 0.0;
            const double mask = (live && k != i) ? 1.0 : 0.0;  // i == k is no triplet
        #pragma unroll
    for (int jj = 0; jj < kVertexJ; ++jj) {
                double cs = (gsk - gsji[jj] + c0s[jj][kk]) * rsji[jj] * rsk[jj][kk];
                double ct = (gtk - gtji[jj] + c0t[jj][kk]) * rtji[jj] * rtk[jj][kk];
                double e = (cs - ct) * mask;
                h[jj] += huber(e);
                double a = huber_derivative(e);
                bacc[jj] = fma(a, rsk[jj][kk], bacc[jj]);
                qacc[jj] = fma(a, cs, qacc[jj]);
            }
        }
        __syncthreads();
    }
    double total = 0.0;
#pragma unroll
    for (int jj = 0; jj < kVertexJ; ++jj) {
        int j = j0 + jj;
        if (live && j < m) {
            long long at = static_cast<long long>(j) * m + i;
            bv[at] = bacc[jj];
            qv[at] = qacc[jj];
        }
        total += h[jj];
    }
    total = block_sum(total, scratch);
    if (threadIdx.x == 0) partials[static_cast<long long>(blockIdx.y) * gridDim.x + blockIdx.x] = total;
}

__global__ void __launch_bounds__(256) angle_pair_kernel(const double* __restrict__ gs,
                                                          const double* __restrict__ gt,
                                                          const double* __restrict__ rs,
                                                          const double* __restrict__ rt, int m, int tiles,
                                                          double* __restrict__ mp) {
    __shared__ double sgi[kPairJ][kPairTile], sgk[kPairJ][kPairTile], sri[kPairJ][kPairTile], srk[kPairJ][kPairTile];
    __shared__ double tgi[kPairJ][kPairTile], tgk[kPairJ][kPairTile], tri[kPairJ][kPairTile], trk[kPairJ][kPairTile];
    __shared__ double sjj[kPairJ], tjj[kPairJ];
    // Upper-triangle tile pair (ti <= tk) of this block.
    int ti = 0;
    int rest = blockIdx.x;
    while (rest >= tiles - ti) {
        rest -= tiles - ti;
        ++ti;
    }
    const int tk = ti + rest;
    const int tx = threadIdx.x % 16;
    const int ty = threadIdx.x / 16;
    int ii[2], kk[2];
    for (int u = 0; u < 2; ++u) {
        ii[u] = ti * kPairTile + ty * 2 + u;
        kk[u] = tk * kPairTile + tx * 2 + u;
    }
    double gik_s[2][2], gik_t[2][2], mask[2][2], acc[2][2];
    for (int u = 0; u < 2; ++u) {
        for (int v = 0; v < 2; ++v) {
            bool ok = ii[u] < m && kk[v] < m && ii[u] != kk[v];  // i == k is no triplet
            long long at = static_cast<long long>(ii[u]) * m + kk[v];
            gik_s[u][v] = ok ? gs[at] : 0.0;
            gik_t[u][v] = ok ? gt[at] : 0.0;
            mask[u][v] = ok ? 1.0 : 0.0;
            acc[u][v] = 0.0;
        }
    }
    for (int j0 = 0; j0 < m; j0 += kPairJ) {
        for (int e = threadIdx.x; e < kPairJ * kPairTile; e += blockDim.x) {
            int jj = e / kPairTile;
            int x = e % kPairTile;  // consecutive threads: consecutive columns of row j
            int j = j0 + jj;
            int ci = ti * kPairTile + x;
            int ck = tk * kPairTile + x;
            long long jrow = static_cast<long long>(j) * m;
            bool okj = j < m;
            bool oki = okj && ci < m;
            bool okk = okj && ck < m;
            sgi[jj][x] = oki ? gs[jrow + ci] : 0.0;
            sri[jj][x] = oki ? rs[jrow + ci] : 0.0;  // r_ji = 0 for i == j: the vertex is one of the legs' ends
            tgi[jj][x] = oki ? gt[jrow + ci] : 0.0;
            tri[jj][x] = oki ? rt[jrow + ci] : 0.0;
            sgk[jj][x] = okk ? gs[jrow + ck] : 0.0;
            srk[jj][x] = okk ? rs[jrow + ck] : 0.0;
            tgk[jj][x] = okk ? gt[jrow + ck] : 0.0;
            trk[jj][x] = okk ? rt[jrow + ck] : 0.0;
            if (x == 0) {
                sjj[jj] = okj ? gs[jrow + j] : 0.0;
                tjj[jj] = okj ? gt[jrow + j] : 0.0;
            }
        }
        __syncthreads();
        const int steps = min(kPairJ, m - j0);
        for (int jj = 0; jj < steps; ++jj) {
            for (int u = 0; u < 2; ++u) {
                const int li = ty * 2 + u;
                for (int v = 0; v < 2; ++v) {
                    const int lk = tx * 2 + v;
                    double rr_s = sri[jj][li] * srk[jj][lk];
                    double cs = (gik_s[u][v] - sgi[jj][li] - sgk[jj][lk] + sjj[jj]) * rr_s;
                    double ct = (gik_t[u][v] - tgi[jj][li] - tgk[jj][lk] + tjj[jj]) * tri[jj][li] * trk[jj][lk];
                    double a = huber_derivative((cs - ct) * mask[u][v]);
                    acc[u][v] = fma(a, rr_s, acc[u][v]);
                }
            }
        }
        __syncthreads();
    }
    for (int u = 0; u < 2; ++u) {
        for (int v = 0; v < 2; ++v) {
            if (ii[u] >= m || kk[v] >= m) continue;
            mp[static_cast<long long>(ii[u]) * m + kk[v]] = acc[u][v];
            if (ti != tk) mp[static_cast<long long>(kk[v]) * m + ii[u]] = acc[u][v];
        }
    }
}

// K row p (off-diagonal from M, B, Q; the diagonal a fixed-order block sum): one block per row.
__global__ void angle_finish_kernel(const double* __restrict__ mp, const double* __restrict__ bv,
                                    const double* __restrict__ qv, const double* __restrict__ rs, int m,
                                    double scale, double* __restrict__ k) {
    __shared__ double scratch[32];
    const int p = blockIdx.x;
    const long long prow = static_cast<long long>(p) * m;
    double diag = 0.0;
    for (int q = threadIdx.x; q < m; q += blockDim.x) {
        if (q == p) continue;
        const long long qrow = static_cast<long long>(q) * m;
        const double r = rs[prow + q];
        const double r2 = r * r;
        const double bpq = bv[prow + q];  // vertex p, leg q
        const double bqp = bv[qrow + p];  // vertex q, leg p
        const double qpq = qv[prow + q];
        const double qqp = qv[qrow + p];
        k[prow + q] += scale * (2.0 * mp[prow + q] - 2.0 * r * (bqp + bpq) + 2.0 * r2 * (qqp + qpq));
        diag += -r2 * qqp + (r * bpq - r2 * qpq);
    }
    diag = block_sum(diag, scratch);
    if (threadIdx.x == 0) k[prow + p] += scale * 2.0 * diag;
}

__global__ void subtract_row_sums_kernel(const double* __restrict__ k, const double* __restrict__ c, int m, int d,
                                         double* __restrict__ out) {
    __shared__ double scratch[32];
    __shared__ double row_sum;
    const int i = blockIdx.x;
    const long long krow = static_cast<long long>(i) * m;
    double s = 0.0;
    for (int j = threadIdx.x; j < m; j += blockDim.x) s += k[krow + j];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) row_sum = s;
    __syncthreads();
    const long long crow = static_cast<long long>(i) * d;
    for (int q = threadIdx.x; q < d; q += blockDim.x) out[crow + q] -= row_sum * c[crow + q];
}

}  // namespace

long long angle_scratch_doubles(int m) {
    const long long mm = static_cast<long long>(m) * m;
    const long long vertex_blocks = static_cast<long long>((m + kVertexI - 1) / kVertexI) * ((m + kVertexJ - 1) / kVertexJ);
    return 5 * mm + vertex_blocks;
}

cudaError_t angle_loss(const double* gram_s, const double* gram_t, int m, double divisor, double coef, double* k,
                       double* value, double* scratch, cudaStream_t stream) {
    const long long mm = static_cast<long long>(m) * m;
    double* rs = scratch;
    double* rt = rs + mm;
    double* bv = rt + mm;
    double* qv = bv + mm;
    double* mp = qv + mm;
    double* partials = mp + mm;
    cudaError_t err;
    HORKD_LAUNCH(inverse_distances_kernel, blocks_for(mm, 256), 256, 0, stream)(gram_s, m, rs);
    HORKD_LAUNCH(inverse_distances_kernel, blocks_for(mm, 256), 256, 0, stream)(gram_t, m, rt);
    dim3 vgrid((m + kVertexI - 1) / kVertexI, (m + kVertexJ - 1) / kVertexJ);
    HORKD_LAUNCH(angle_vertex_kernel, vgrid, kVertexI, 0, stream)(gram_s, gram_t, rs, rt, m, bv, qv, partials);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = sum_partials(partials, static_cast<long long>(vgrid.x) * vgrid.y, 1.0 / divisor, value, stream)) !=
        cudaSuccess) {
        return err;
    }
    if (k == nullptr) return cudaSuccess;
    const int tiles = (m + kPairTile - 1) / kPairTile;
    HORKD_LAUNCH(angle_pair_kernel, tiles * (tiles + 1) / 2, 256, 0, stream)(gram_s, gram_t, rs, rt, m, tiles, mp);
    HORKD_LAUNCH(angle_finish_kernel, m, kRowThreads, 0, stream)(mp, bv, qv, rs, m, coef / divisor, k);
    return cudaGetLastError();
}

cudaError_t laplacian_times(const double* k, const double* c, int m, int d, double* out, cudaStream_t stream) {
    cudaError_t err = gemm(false, false, m, d, m, 1.0, k, m, c, d, out, d, false, stream);
    if (err != cudaSuccess) return err;
    HORKD_LAUNCH(subtract_row_sums_kernel, m, kRowThreads, 0, stream)(k, c, m, d, out);
    return cudaGetLastError();
}

}  // namespace horkd
