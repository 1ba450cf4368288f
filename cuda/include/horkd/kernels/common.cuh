// Device helpers shared by every kernel: the scalar functions of LOSSES.md and deterministic reductions.
//
// Determinism: no float atomics anywhere. Every sum is a fixed tree (warp shuffles, then shared memory)
// over a fixed assignment of elements to threads, so the same inputs give the same bits run to run.
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// Clamp on squared distances (LOSSES.md): D = sqrt(max(sq, kEps)); under it, no gradient.
constexpr double kEps = 1e-12;

__host__ __device__ inline double huber(double x) {
    double a = fabs(x);
    return a < 1.0 ? 0.5 * x * x : a - 0.5;
}

__host__ __device__ inline double huber_derivative(double x) { return fmax(-1.0, fmin(1.0, x)); }

inline unsigned blocks_for(long long n, int threads) { return static_cast<unsigned>((n + threads - 1) / threads); }

// Sum of v over the warp, in a fixed order; the result is valid in lane 0.
__device__ inline double warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    return v;
}

// Sum of v over the block (blockDim.x a multiple of 32, at most 1024); valid in thread 0.
// `scratch` holds 32 doubles of shared memory; the call synchronises the block.
__device__ inline double block_sum(double v, double* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    int warps = blockDim.x >> 5;
    v = threadIdx.x < warps ? scratch[threadIdx.x] : 0.0;
    if (warp == 0) v = warp_sum(v);
    return v;
}

// out[0] = scale * sum(partials[0..n)), one block, fixed order.
cudaError_t sum_partials(const double* partials, long long n, double scale, double* out, cudaStream_t stream);

// dst[i] = (double) src[i].
cudaError_t widen(const float* src, double* dst, long long n, cudaStream_t stream);

// dst[i] += (float) (scale * src[i]).
cudaError_t add_scaled_to_float(const double* src, double scale, float* dst, long long n, cudaStream_t stream);

}  // namespace horkd
