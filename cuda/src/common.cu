// Deterministic reductions and element-wise helpers (see horkd/kernels/common.cuh).
#include "horkd/kernels/common.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kReduceThreads = 1024;

__global__ void sum_partials_kernel(const double* __restrict__ partials, long long n, double scale,
                                    double* __restrict__ out) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) acc += partials[i];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) out[0] = acc * scale;
}

__global__ void widen_kernel(const float* __restrict__ src, double* __restrict__ dst, long long n) {
    long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) dst[i] = static_cast<double>(src[i]);
}

__global__ void add_scaled_kernel(const double* __restrict__ src, double scale, float* __restrict__ dst,
                                  long long n) {
    long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) dst[i] = static_cast<float>(static_cast<double>(dst[i]) + scale * src[i]);
}

}  // namespace

cudaError_t sum_partials(const double* partials, long long n, double scale, double* out, cudaStream_t stream) {
    HORKD_LAUNCH(sum_partials_kernel, 1, kReduceThreads, 0, stream)(partials, n, scale, out);
    return cudaGetLastError();
}

cudaError_t widen(const float* src, double* dst, long long n, cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    HORKD_LAUNCH(widen_kernel, blocks_for(n, 256), 256, 0, stream)(src, dst, n);
    return cudaGetLastError();
}

cudaError_t add_scaled_to_float(const double* src, double scale, float* dst, long long n, cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    HORKD_LAUNCH(add_scaled_kernel, blocks_for(n, 256), 256, 0, stream)(src, scale, dst, n);
    return cudaGetLastError();
}

}  // namespace horkd
