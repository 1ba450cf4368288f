// Tiled float64 GEMM (see horkd/kernels/gemm.cuh for the contract).
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/gemm.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kTile = 64;    // outputs per block side
constexpr int kDepth = 16;   // depth per shared-memory stage
constexpr int kThreads = 256;
constexpr int kPer = 4;      // outputs per thread side: 16 x 16 threads x 4 x 4 = 64 x 64

__global__ void __launch_bounds__(kThreads) gemm_kernel(bool trans_a, bool trans_b, int m, int n, int k,
                                                        double alpha, const double* __restrict__ a, int lda,
                                                        const double* __restrict__ b, int ldb,
                                                        double* __restrict__ c, int ldc, bool accumulate) {
    __shared__ double as[kDepth][kTile + 1];  // as[p][r] = op(A)[row0 + r][p0 + p]
    __shared__ double bs[kDepth][kTile + 1];  // bs[p][s] = op(B)[p0 + p][col0 + s]
    const int row0 = blockIdx.y * kTile;
    const int col0 = blockIdx.x * kTile;
    const int tx = threadIdx.x % 16;
    const int ty = threadIdx.x / 16;
    double acc[kPer][kPer] = {};

    for (int p0 = 0; p0 < k; p0 += kDepth) {
        // 64 x 16 = 1024 elements of each operand, 4 per thread. Consecutive threads take consecutive
        // addresses in memory: along the depth for row-major A and transposed B, along rows/columns else.
        for (int e = threadIdx.x; e < kTile * kDepth; e += kThreads) {
            int r = trans_a ? e % kTile : e / kDepth;
            int p = trans_a ? e / kTile : e % kDepth;
            int gr = row0 + r;
            int gp = p0 + p;
            double va = 0.0;
            if (gr < m && gp < k) va = trans_a ? a[static_cast<long long>(gp) * lda + gr] : a[static_cast<long long>(gr) * lda + gp];
            as[p][r] = va;
        }
        for (int e = threadIdx.x; e < kTile * kDepth; e += kThreads) {
            int s = trans_b ? e / kDepth : e % kTile;
            int p = trans_b ? e % kDepth : e / kTile;
            int gc = col0 + s;
            int gp = p0 + p;
            double vb = 0.0;
            if (gc < n && gp < k) vb = trans_b ? b[static_cast<long long>(gc) * ldb + gp] : b[static_cast<long long>(gp) * ldb + gc];
            bs[p][s] = vb;
        }
        __syncthreads();
        const int steps = min(kDepth, k - p0);  // padding never enters a chain: equal chains for equal rows
        for (int p = 0; p < steps; ++p) {
            double av[kPer];
            double bv[kPer];
            for (int i = 0; i < kPer; ++i) av[i] = as[p][ty * kPer + i];
            for (int j = 0; j < kPer; ++j) bv[j] = bs[p][tx * kPer + j];
            for (int i = 0; i < kPer; ++i) {
                for (int j = 0; j < kPer; ++j) acc[i][j] = fma(av[i], bv[j], acc[i][j]);
            }
        }
        __syncthreads();
    }
    for (int i = 0; i < kPer; ++i) {
        int gr = row0 + ty * kPer + i;
        if (gr >= m) continue;
        for (int j = 0; j < kPer; ++j) {
            int gc = col0 + tx * kPer + j;
            if (gc >= n) continue;
            double* out = c + static_cast<long long>(gr) * ldc + gc;
            *out = accumulate ? fma(alpha, acc[i][j], *out) : alpha * acc[i][j];
        }
    }
}

__global__ void dot_rows_kernel(const double* __restrict__ x, const double* __restrict__ y, int rows, int k,
                                int ld, double* __restrict__ out) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows) return;
    const double* xi = x + static_cast<long long>(i) * ld;
    const double* yi = y + static_cast<long long>(i) * ld;
    double acc = 0.0;
    for (int p = 0; p < k; ++p) acc = fma(xi[p], yi[p], acc);
    out[i] = acc;
}

}  // namespace

cudaError_t gemm(bool trans_a, bool trans_b, int m, int n, int k, double alpha, const double* a, int lda,
                 const double* b, int ldb, double* c, int ldc, bool accumulate, cudaStream_t stream) {
    if (m == 0 || n == 0) return cudaSuccess;
    dim3 grid((n + kTile - 1) / kTile, (m + kTile - 1) / kTile);
    HORKD_LAUNCH(gemm_kernel, grid, kThreads, 0, stream)(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, c, ldc, accumulate);
    return cudaGetLastError();
}

cudaError_t dot_rows(const double* x, const double* y, int rows, int k, int ld, double* out, cudaStream_t stream) {
    if (rows == 0) return cudaSuccess;
    HORKD_LAUNCH(dot_rows_kernel, blocks_for(rows, 128), 128, 0, stream)(x, y, rows, k, ld, out);
    return cudaGetLastError();
}

}  // namespace horkd
