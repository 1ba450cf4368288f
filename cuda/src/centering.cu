// Row centring kernels (see horkd/kernels/centering.cuh for why).
//
// Two deterministic passes, no atomics:
//   1. center_columns: a 32-column tile per block (grid.y = problem); each of the 8 thread rows sums a
//      strided share of the column in double, the 8 partial sums meet in shared memory in a fixed
//      order, and the block writes its tile of x - mean. Consecutive threads touch consecutive
//      columns, so every row read and write is coalesced.
//   2. row_sq_norms: one warp per row, a fixed-order shuffle reduction.
#include "horkd/kernels/centering.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kTileCols = 32;
constexpr int kTileRows = 8;

template <typename Out>
__global__ void center_columns_kernel(const float* __restrict__ x, Out* __restrict__ out, int m, int d) {
    __shared__ double partial[kTileRows][kTileCols + 1];  // +1: no bank conflicts on the column walk
    __shared__ double mean[kTileCols];

    const int col = blockIdx.x * kTileCols + threadIdx.x;
    const long long base = static_cast<long long>(blockIdx.y) * m * d;
    const float* xb = x + base;
    Out* ob = out + base;

    double sum = 0.0;
    if (col < d) {
        for (int i = threadIdx.y; i < m; i += kTileRows) sum += static_cast<double>(xb[static_cast<long long>(i) * d + col]);
    }
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0) {
        double total = 0.0;
        for (int r = 0; r < kTileRows; ++r) total += partial[r][threadIdx.x];
        mean[threadIdx.x] = total / m;
    }
    __syncthreads();
    if (col < d) {
        const double mu = mean[threadIdx.x];
        for (int i = threadIdx.y; i < m; i += kTileRows) {
            const long long at = static_cast<long long>(i) * d + col;
            ob[at] = static_cast<Out>(static_cast<double>(xb[at]) - mu);
        }
    }
}

__global__ void row_sq_norms_kernel(const float* __restrict__ rows, float* __restrict__ sq_norms,
                                    long long n_rows, int d) {
    const int lane = threadIdx.x & 31;
    const long long row = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
    if (row >= n_rows) return;  // whole warps leave together: the row index is uniform per warp
    const float* r = rows + row * d;
    float acc = 0.f;
    for (int k = lane; k < d; k += 32) acc = fmaf(r[k], r[k], acc);
    for (int offset = 16; offset > 0; offset >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, offset);
    if (lane == 0) sq_norms[row] = acc;
}

}  // namespace

cudaError_t center_rows(const float* x, float* out, float* sq_norms, int batch, int m, int d,
                        cudaStream_t stream) {
    const dim3 block(kTileCols, kTileRows);
    const dim3 grid((d + kTileCols - 1) / kTileCols, batch);
    HORKD_LAUNCH(center_columns_kernel<float>, grid, block, 0, stream)(x, out, m, d);
    cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess || sq_norms == nullptr) return err;

    const long long n_rows = static_cast<long long>(batch) * m;
    constexpr int kThreads = 256;  // 8 rows per block
    const long long blocks = (n_rows * 32 + kThreads - 1) / kThreads;
    HORKD_LAUNCH(row_sq_norms_kernel, static_cast<unsigned>(blocks), kThreads, 0, stream)(out, sq_norms, n_rows, d);
    return cudaGetLastError();
}

cudaError_t center_rows_double(const float* x, double* out, int batch, int m, int d, cudaStream_t stream) {
    const dim3 block(kTileCols, kTileRows);
    const dim3 grid((d + kTileCols - 1) / kTileCols, batch);
    HORKD_LAUNCH(center_columns_kernel<double>, grid, block, 0, stream)(x, out, m, d);
    return cudaGetLastError();
}

}  // namespace horkd
