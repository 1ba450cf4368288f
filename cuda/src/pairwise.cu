// L2 forward and backward (see horkd/kernels/pairwise.cuh for the formulas).
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/pairwise.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kThreads = 256;

__device__ inline double squared_distance(const double* g, int m, int i, int j) {
    return g[static_cast<long long>(i) * m + i] + g[static_cast<long long>(j) * m + j] -
           2.0 * g[static_cast<long long>(i) * m + j];
}

// D (clamped, 0 on the diagonal) and its row sums: one block per row.
__global__ void distances_kernel(const double* __restrict__ g, int m, double* __restrict__ d,
                                 double* __restrict__ row_sums) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    double sum = 0.0;
    for (int j = threadIdx.x; j < m; j += blockDim.x) {
        double v = i == j ? 0.0 : sqrt(fmax(squared_distance(g, m, i, j), kEps));
        d[static_cast<long long>(i) * m + j] = v;
        sum += v;
    }
    sum = block_sum(sum, scratch);
    if (threadIdx.x == 0) row_sums[i] = sum;
}

__device__ inline double penalty_of(Penalty p, double x) { return p == Penalty::kSquare ? x * x : huber(x); }
__device__ inline double penalty_derivative(Penalty p, double x) {
    return p == Penalty::kSquare ? 2.0 * x : huber_derivative(x);
}

// e, l(e), a = l'(e)/N per pair (a overwrites the teacher distances) and the row sums of l(e) and a psi^g.
__global__ void errors_kernel(const double* __restrict__ ds, double* __restrict__ dt_then_a, int m, Penalty p,
                              double divisor, const double* __restrict__ mu, double* __restrict__ row_value,
                              double* __restrict__ row_weighted) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    const double mu_s = mu[0];
    const double mu_t = mu[1];
    double value = 0.0;
    double weighted = 0.0;
    for (int j = threadIdx.x; j < m; j += blockDim.x) {
        long long at = static_cast<long long>(i) * m + j;
        if (i == j) {
            dt_then_a[at] = 0.0;
            continue;
        }
        double psi_s = ds[at] / mu_s;
        double e = psi_s - dt_then_a[at] / mu_t;
        value += penalty_of(p, e);
        double a = penalty_derivative(p, e) / divisor;
        weighted += a * psi_s;
        dt_then_a[at] = a;
    }
    value = block_sum(value, scratch);
    weighted = block_sum(weighted, scratch);
    if (threadIdx.x == 0) {
        row_value[i] = value;
        row_weighted[i] = weighted;
    }
}

// K += coef * (dL/dG + dL/dG^T) of L2, one block per row (it alone writes row i).
__global__ void gradient_kernel(const double* __restrict__ g_s, const double* __restrict__ ds,
                                const double* __restrict__ a, int m, const double* __restrict__ mu,
                                const double* __restrict__ c, double coef, double* __restrict__ k) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    const double mu_s = mu[0];
    const double cc = c[0];
    double row = 0.0;
    for (int j = threadIdx.x; j < m; j += blockDim.x) {
        if (i == j || squared_distance(g_s, m, i, j) < kEps) continue;
        long long at = static_cast<long long>(i) * m + j;
        double s = (a[at] - cc) / (2.0 * mu_s * ds[at]);
        k[at] -= 4.0 * coef * s;
        row += s;
    }
    row = block_sum(row, scratch);
    if (threadIdx.x == 0) k[static_cast<long long>(i) * m + i] += 4.0 * coef * row;
}

}  // namespace

long long pairwise_scratch_doubles(int m) { return 2LL * m * m + 4LL * m + 4; }

cudaError_t distance_loss(const double* gram_s, const double* gram_t, int m, Penalty penalty, double divisor,
                          double coef, double* k, double* value, double* scratch, cudaStream_t stream) {
    const long long mm = static_cast<long long>(m) * m;
    double* ds = scratch;
    double* dt = ds + mm;
    double* rows_s = dt + mm;
    double* rows_t = rows_s + m;
    double* row_value = rows_t + m;
    double* row_weighted = row_value + m;
    double* mu = row_weighted + m;  // mu_s, mu_t
    double* c = mu + 2;
    const double pairs = static_cast<double>(m) * (m - 1);
    cudaError_t err;
    HORKD_LAUNCH(distances_kernel, m, kThreads, 0, stream)(gram_s, m, ds, rows_s);
    HORKD_LAUNCH(distances_kernel, m, kThreads, 0, stream)(gram_t, m, dt, rows_t);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = sum_partials(rows_s, m, 1.0 / pairs, mu, stream)) != cudaSuccess) return err;
    if ((err = sum_partials(rows_t, m, 1.0 / pairs, mu + 1, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(errors_kernel, m, kThreads, 0, stream)(ds, dt, m, penalty, divisor, mu, row_value, row_weighted);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    if ((err = sum_partials(row_value, m, 1.0 / divisor, value, stream)) != cudaSuccess) return err;
    if (k == nullptr) return cudaSuccess;
    if ((err = sum_partials(row_weighted, m, 1.0 / pairs, c, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(gradient_kernel, m, kThreads, 0, stream)(gram_s, ds, dt, m, mu, c, coef, k);
    return cudaGetLastError();
}

}  // namespace horkd
