// MMD^2 and the pair-wise constraint, forward and backward (see horkd/kernels/rakd.cuh for the formulas).
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/gemm.cuh"
#include "horkd/kernels/rakd.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kThreads = 256;
constexpr double kNormFloor = 1e-12;

// K(d) = sum_q exp(-d / (s_q beta)), s_q = 1/4, 1/2, 1, 2, 4 (ReferenceRakd.SCALES; doubling is exact).
__device__ inline double kernel_sum(double d, double beta) {
    double k = 0.0;
    double s = 0.25;
    for (int q = 0; q < 5; ++q, s *= 2.0) k += exp(-d / (s * beta));
    return k;
}

// k'(d) = dK/dd = -sum_q exp(-d / (s_q beta)) / (s_q beta).
__device__ inline double kernel_slope(double d, double beta) {
    double k = 0.0;
    double s = 0.25;
    for (int q = 0; q < 5; ++q, s *= 2.0) k -= exp(-d / (s * beta)) / (s * beta);
    return k;
}

// z = [x; f] - mean: one thread per column (the mean over the 2m rows in row order).
__global__ void pool_centred_kernel(const double* __restrict__ x, const double* __restrict__ f, int m, int d,
                                    double* __restrict__ z) {
    const int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= d) return;
    double mean = 0.0;
    for (int i = 0; i < m; ++i) mean += x[static_cast<long long>(i) * d + k];
    for (int i = 0; i < m; ++i) mean += f[static_cast<long long>(i) * d + k];
    mean /= 2.0 * m;
    for (int i = 0; i < m; ++i) {
        z[static_cast<long long>(i) * d + k] = x[static_cast<long long>(i) * d + k] - mean;
        z[static_cast<long long>(m + i) * d + k] = f[static_cast<long long>(i) * d + k] - mean;
    }
}

// D (clamped at 0, 0 on the diagonal) from the Gram matrix of z, and its row sums: one block per row.
__global__ void sq_distances_kernel(const double* __restrict__ g, int n, double* __restrict__ d,
                                    double* __restrict__ row_sums) {
    __shared__ double scratch[32];
    const int a = blockIdx.x;
    double sum = 0.0;
    for (int c = threadIdx.x; c < n; c += blockDim.x) {
        double v = a == c ? 0.0
                          : fmax(g[static_cast<long long>(a) * n + a] + g[static_cast<long long>(c) * n + c] -
                                     2.0 * g[static_cast<long long>(a) * n + c],
                                 0.0);
        d[static_cast<long long>(a) * n + c] = v;
        sum += v;
    }
    sum = block_sum(sum, scratch);
    if (threadIdx.x == 0) row_sums[a] = sum;
}

// Row a < m: its share of the value, M's row (k'(Dxx), -k'(Dxf)) and M's row sum. beta = 0: all zero.
__global__ void mmd_rows_kernel(const double* __restrict__ d, int m, const double* __restrict__ beta_p,
                                double* __restrict__ mrows, double* __restrict__ row_value, double* __restrict__ row_m) {
    __shared__ double scratch[32];
    const int a = blockIdx.x;
    const int n = 2 * m;
    const double beta = beta_p[0];
    double value = 0.0;
    double msum = 0.0;
    for (int j = threadIdx.x; j < m; j += blockDim.x) {
        double dxx = d[static_cast<long long>(a) * n + j];
        double dff = d[static_cast<long long>(m + a) * n + m + j];
        double dxf = d[static_cast<long long>(a) * n + m + j];
        double wxx = 0.0, wxf = 0.0;
        if (beta > 0.0) {
            value += kernel_sum(dxx, beta) + kernel_sum(dff, beta) - 2.0 * kernel_sum(dxf, beta);
            wxx = kernel_slope(dxx, beta);
            wxf = -kernel_slope(dxf, beta);
        }
        mrows[static_cast<long long>(a) * n + j] = wxx;
        mrows[static_cast<long long>(a) * n + m + j] = wxf;
        msum += wxx + wxf;
    }
    value = block_sum(value, scratch);
    msum = block_sum(msum, scratch);
    if (threadIdx.x == 0) {
        row_value[a] = value;
        row_m[a] = msum;
    }
}

// dx = scale (rowsum(M)_a z_a - (M z)_a), element-wise.
__global__ void mmd_gradient_kernel(const double* __restrict__ z, const double* __restrict__ mz,
                                    const double* __restrict__ row_m, int m, int d, double scale, double* __restrict__ dx) {
    const long long q = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (q >= static_cast<long long>(m) * d) return;
    const int a = static_cast<int>(q / d);
    dx[q] = scale * (row_m[a] * z[q] - mz[q]);
}

// Rows of x normalised (floor 1e-12) into xh, their norms into norms: one block per row.
__global__ void normalise_rows_kernel(const double* __restrict__ x, int d, double* __restrict__ xh,
                                      double* __restrict__ norms) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    const double* row = x + static_cast<long long>(i) * d;
    double s = 0.0;
    for (int k = threadIdx.x; k < d; k += blockDim.x) s += row[k] * row[k];
    s = block_sum(s, scratch);
    __shared__ double row_norm;
    if (threadIdx.x == 0) {
        row_norm = sqrt(s);
        norms[i] = row_norm;
    }
    __syncthreads();
    const double c = 1.0 / fmax(row_norm, kNormFloor);
    for (int k = threadIdx.x; k < d; k += blockDim.x) xh[static_cast<long long>(i) * d + k] = row[k] * c;
}

// E (overwriting C^s) and each row's share of the value: one block per row.
__global__ void cosine_errors_kernel(double* __restrict__ cs_then_e, const double* __restrict__ ct, int m,
                                     double pairs, double* __restrict__ row_value) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    double value = 0.0;
    for (int j = threadIdx.x; j < m; j += blockDim.x) {
        long long at = static_cast<long long>(i) * m + j;
        double e = 0.0;
        if (i != j) {
            double diff = cs_then_e[at] - ct[at];
            value += diff * diff;
            e = 4.0 * diff / pairs;
        }
        cs_then_e[at] = e;
    }
    value = block_sum(value, scratch);
    if (threadIdx.x == 0) row_value[i] = value;
}

// In place, row i of e: (e - g^ (g^ . e)) / |g_i|, or e / 1e-12 under the floor. One block per row.
__global__ void normalise_backward_kernel(const double* __restrict__ gh, const double* __restrict__ norms, int d,
                                          double* __restrict__ e) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    const double* a = gh + static_cast<long long>(i) * d;
    double* row = e + static_cast<long long>(i) * d;
    double dot = 0.0;
    for (int k = threadIdx.x; k < d; k += blockDim.x) dot += a[k] * row[k];
    dot = block_sum(dot, scratch);
    __shared__ double shared_dot;
    if (threadIdx.x == 0) shared_dot = dot;
    __syncthreads();
    const double n = norms[i];
    for (int k = threadIdx.x; k < d; k += blockDim.x) row[k] = n <= kNormFloor ? row[k] / kNormFloor : (row[k] - a[k] * shared_dot) / n;
}

}  // namespace

long long mmd_scratch_doubles(int m, int d) {
    const long long n = 2LL * m;
    return n * d + n * n + n * n + static_cast<long long>(m) * n + static_cast<long long>(m) * d + n + 3LL * m + 2;
}

cudaError_t mmd_loss(const double* x, const double* f, int m, int d, double* dx, double* value, double* scratch,
                     cudaStream_t stream) {
    const int n = 2 * m;
    const long long nn = static_cast<long long>(n) * n;
    double* z = scratch;
    double* g = z + static_cast<long long>(n) * d;
    double* dist = g + nn;
    double* mrows = dist + nn;
    double* mz = mrows + static_cast<long long>(m) * n;
    double* row_sums = mz + static_cast<long long>(m) * d;
    double* row_value = row_sums + n;
    double* row_m = row_value + m;
    double* beta = row_m + m;
    cudaError_t err;
    HORKD_LAUNCH(pool_centred_kernel, blocks_for(d, kThreads), kThreads, 0, stream)(x, f, m, d, z);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = gemm(false, true, n, n, d, 1.0, z, d, z, d, g, n, false, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(sq_distances_kernel, n, kThreads, 0, stream)(g, n, dist, row_sums);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = sum_partials(row_sums, n, 1.0 / (static_cast<double>(n) * (n - 1)), beta, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(mmd_rows_kernel, m, kThreads, 0, stream)(dist, m, beta, mrows, row_value, row_m);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = sum_partials(row_value, m, 1.0 / (static_cast<double>(m) * m), value, stream)) != cudaSuccess) return err;
    if (dx == nullptr) return cudaSuccess;
    if ((err = gemm(false, false, m, d, n, 1.0, mrows, n, z, d, mz, d, false, stream)) != cudaSuccess) return err;
    const long long md = static_cast<long long>(m) * d;
    HORKD_LAUNCH(mmd_gradient_kernel, blocks_for(md, kThreads), kThreads, 0, stream)(z, mz, row_m, m, d,
                                                                                    4.0 / (static_cast<double>(m) * m), dx);
    return cudaGetLastError();
}

long long cosine_scratch_doubles(int m, int ds, int dt) {
    return static_cast<long long>(m) * ds + static_cast<long long>(m) * dt + 2LL * m * m + 3LL * m;
}

cudaError_t cosine_constraint(const double* g, const double* f, int m, int ds, int dt, double* dg, double* value,
                              double* scratch, cudaStream_t stream) {
    cudaError_t err;
    if (m < 2) {
        if ((err = cudaMemsetAsync(value, 0, sizeof(double), stream)) != cudaSuccess) return err;
        if (dg != nullptr) return cudaMemsetAsync(dg, 0, sizeof(double) * m * ds, stream);
        return cudaSuccess;
    }
    const long long mm = static_cast<long long>(m) * m;
    double* gh = scratch;
    double* fh = gh + static_cast<long long>(m) * ds;
    double* cs = fh + static_cast<long long>(m) * dt;
    double* ct = cs + mm;
    double* gnorms = ct + mm;
    double* fnorms = gnorms + m;
    double* row_value = fnorms + m;
    const double pairs = static_cast<double>(m) * (m - 1);
    HORKD_LAUNCH(normalise_rows_kernel, m, kThreads, 0, stream)(g, ds, gh, gnorms);
    HORKD_LAUNCH(normalise_rows_kernel, m, kThreads, 0, stream)(f, dt, fh, fnorms);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = gemm(false, true, m, m, ds, 1.0, gh, ds, gh, ds, cs, m, false, stream)) != cudaSuccess) return err;
    if ((err = gemm(false, true, m, m, dt, 1.0, fh, dt, fh, dt, ct, m, false, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(cosine_errors_kernel, m, kThreads, 0, stream)(cs, ct, m, pairs, row_value);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = sum_partials(row_value, m, 1.0 / pairs, value, stream)) != cudaSuccess) return err;
    if (dg == nullptr) return cudaSuccess;
    if ((err = gemm(false, false, m, ds, m, 1.0, cs, m, gh, ds, dg, ds, false, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(normalise_backward_kernel, m, kThreads, 0, stream)(gh, gnorms, ds, dg);
    return cudaGetLastError();
}

}  // namespace horkd
