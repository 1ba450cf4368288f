// L1 and Hinton KD (see horkd/kernels/pointwise.cuh).
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/pointwise.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kThreads = 256;

__global__ void pointwise_rows_kernel(const double* __restrict__ x, const double* __restrict__ f, int dt, bool mse,
                                      double n, double* __restrict__ dx, double* __restrict__ row_value) {
    __shared__ double scratch[32];
    const long long row = static_cast<long long>(blockIdx.x) * dt;
    double v = 0.0;
    for (int k = threadIdx.x; k < dt; k += blockDim.x) {
        double diff = x[row + k] - f[row + k];
        v += mse ? diff * diff : fabs(diff);
        if (dx) dx[row + k] = (mse ? 2.0 * diff : (diff > 0.0) - (diff < 0.0)) / n;
    }
    v = block_sum(v, scratch);
    if (threadIdx.x == 0) row_value[blockIdx.x] = v;
}

// One block per row: both log-softmaxes in double, the KL term and the gradient.
__global__ void hinton_rows_kernel(const float* __restrict__ s, const float* __restrict__ t, int classes, int m,
                                   double temperature, double* __restrict__ ds, double* __restrict__ row_value) {
    __shared__ double scratch[32];
    __shared__ double stats[4];  // max_s, logsum_s, max_t, logsum_t
    const long long row = static_cast<long long>(blockIdx.x) * classes;
    double ms = -INFINITY, mt = -INFINITY;
    for (int c = threadIdx.x; c < classes; c += blockDim.x) {
        ms = fmax(ms, s[row + c] / temperature);
        mt = fmax(mt, t[row + c] / temperature);
    }
    // Block max by a fixed tree over the warps.
    for (int off = 16; off > 0; off >>= 1) {
        ms = fmax(ms, __shfl_down_sync(0xffffffffu, ms, off));
        mt = fmax(mt, __shfl_down_sync(0xffffffffu, mt, off));
    }
    __shared__ double wmax[2][32];
    if ((threadIdx.x & 31) == 0) {
        wmax[0][threadIdx.x >> 5] = ms;
        wmax[1][threadIdx.x >> 5] = mt;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        double a = -INFINITY, b = -INFINITY;
        for (int w = 0; w < (blockDim.x >> 5); ++w) {
            a = fmax(a, wmax[0][w]);
            b = fmax(b, wmax[1][w]);
        }
        stats[0] = a;
        stats[2] = b;
    }
    __syncthreads();
    double es = 0.0, et = 0.0;
    for (int c = threadIdx.x; c < classes; c += blockDim.x) {
        es += exp(s[row + c] / temperature - stats[0]);
        et += exp(t[row + c] / temperature - stats[2]);
    }
    es = block_sum(es, scratch);
    et = block_sum(et, scratch);
    if (threadIdx.x == 0) {
        stats[1] = log(es);
        stats[3] = log(et);
    }
    __syncthreads();
    double kl = 0.0;
    for (int c = threadIdx.x; c < classes; c += blockDim.x) {
        double log_ps = s[row + c] / temperature - stats[0] - stats[1];
        double log_pt = t[row + c] / temperature - stats[2] - stats[3];
        double pt = exp(log_pt);
        if (pt > 0.0) kl += pt * (log_pt - log_ps);
        if (ds) ds[row + c] = temperature / m * (exp(log_ps) - pt);
    }
    kl = block_sum(kl, scratch);
    if (threadIdx.x == 0) row_value[blockIdx.x] = kl;
}

}  // namespace

cudaError_t pointwise_loss(const double* x, const double* f, int m, int dt, bool mse, double* dx, double* value,
                           double* scratch, cudaStream_t stream) {
    const double n = static_cast<double>(m) * dt;
    HORKD_LAUNCH(pointwise_rows_kernel, m, kThreads, 0, stream)(x, f, dt, mse, n, dx, scratch);
    cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess) return err;
    return sum_partials(scratch, m, 1.0 / n, value, stream);
}

cudaError_t hinton_loss(const float* s, const float* t, int m, int classes, double temperature, double* ds,
                        double* value, double* scratch, cudaStream_t stream) {
    HORKD_LAUNCH(hinton_rows_kernel, m, kThreads, 0, stream)(s, t, classes, m, temperature, ds, scratch);
    cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess) return err;
    return sum_partials(scratch, m, temperature * temperature / m, value, stream);
}

}  // namespace horkd
