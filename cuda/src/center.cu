// LC forward and backward, batch centres and dataset-centre accumulation (see horkd/kernels/center.cuh).
#include "horkd/kernels/center.cuh"
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/gemm.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kThreads = 256;

// Samples grouped by label without a per-class array (the class count may be anything up to INT_MAX):
// order[r] = the sample of rank r, ranked by (label, index), so each group lists its samples in index
// order. One thread per sample, O(n^2) comparisons in all; n is a batch.
__global__ void rank_by_label_kernel(const int* __restrict__ labels, int n, int* __restrict__ order) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const int li = labels[i];
    int rank = 0;
    for (int j = 0; j < n; ++j) {
        const int lj = labels[j];
        rank += lj < li || (lj == li && j < i);
    }
    order[rank] = i;
}

// starts[g] = rank of the first sample of group g (groups in increasing label), starts[G] = n; *groups = G.
__global__ void group_starts_kernel(const int* __restrict__ labels, const int* __restrict__ order, int n,
                                    int* __restrict__ starts, int* __restrict__ groups) {
    if (threadIdx.x != 0) return;
    int g = 0;
    for (int r = 0; r < n; ++r) {
        if (r == 0 || labels[order[r]] != labels[order[r - 1]]) starts[g++] = r;
    }
    starts[g] = n;
    *groups = g;
}

// u[g][col] = mean of f[i][col] over the samples i of group g, summed in sample order: one thread per
// (group, column), the groups strided over grid.y.
__global__ void group_means_kernel(const double* __restrict__ f, const int* __restrict__ order,
                                   const int* __restrict__ starts, const int* __restrict__ groups, int dt,
                                   double* __restrict__ u) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= dt) return;
    for (int g = blockIdx.y; g < *groups; g += gridDim.y) {
        double sum = 0.0;
        for (int r = starts[g]; r < starts[g + 1]; ++r) sum += f[static_cast<long long>(order[r]) * dt + col];
        u[static_cast<long long>(g) * dt + col] = sum / (starts[g + 1] - starts[g]);
    }
}

// shift[col] = mean over the C' centres of u[.][col]; then x, f, u minus shift into xc, fc, uc.
__global__ void center_shift_kernel(const double* __restrict__ u, const int* __restrict__ present, int classes,
                                    int dt, double* __restrict__ shift) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= dt) return;
    const int n = present ? *present : classes;
    double s = 0.0;
    for (int c = 0; c < n; ++c) s += u[static_cast<long long>(c) * dt + col];
    shift[col] = s / n;
}

__global__ void subtract_shift_kernel(const double* __restrict__ x, int rows, int dt, const double* __restrict__ shift,
                                      double* __restrict__ out) {
    long long at = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (at >= static_cast<long long>(rows) * dt) return;
    out[at] = x[at] - shift[at % dt];
}

// Per sample i: the LC terms of its row, W_ic, rowW_i = sum_c W_ic; value partial per row.
__global__ void center_rows_kernel(const double* __restrict__ xu, const double* __restrict__ fu,
                                   const double* __restrict__ nx, const double* __restrict__ nf,
                                   const double* __restrict__ nu, const int* __restrict__ present, int classes, int m,
                                   double* __restrict__ w, double* __restrict__ row_w, double* __restrict__ row_value) {
    __shared__ double scratch[32];
    const int i = blockIdx.x;
    const int n = present ? *present : classes;
    const double denom = static_cast<double>(m) * n;
    double value = 0.0;
    double wsum = 0.0;
    for (int c = threadIdx.x; c < classes; c += blockDim.x) {
        long long at = static_cast<long long>(i) * classes + c;
        if (c >= n) {
            if (w) w[at] = 0.0;
            continue;
        }
        double sqx = nx[i] + nu[c] - 2.0 * xu[at];
        double sqf = nf[i] + nu[c] - 2.0 * fu[at];
        double dx = sqrt(fmax(sqx, kEps));
        double diff = dx - sqrt(fmax(sqf, kEps));
        value += diff * diff;
        double wic = sqx >= kEps ? 2.0 * diff / (denom * dx) : 0.0;
        if (w) w[at] = wic;
        wsum += wic;
    }
    value = block_sum(value, scratch);
    wsum = block_sum(wsum, scratch);
    if (threadIdx.x == 0) {
        row_value[i] = value;
        if (row_w) row_w[i] = wsum;
    }
}

// dx = diag(rowW) xc - (W U): dx holds W U on entry.
__global__ void center_grad_kernel(const double* __restrict__ xc, const double* __restrict__ row_w, int m, int dt,
                                   double* __restrict__ dx) {
    long long at = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (at >= static_cast<long long>(m) * dt) return;
    dx[at] = row_w[at / dt] * xc[at] - dx[at];
}

__global__ void value_scale_kernel(const double* __restrict__ row_value, int m, const int* __restrict__ present,
                                   int classes, double* __restrict__ value) {
    __shared__ double scratch[32];
    double s = 0.0;
    for (int i = threadIdx.x; i < m; i += blockDim.x) s += row_value[i];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) {
        const int n = present ? *present : classes;
        value[0] = s / (static_cast<double>(m) * n);
    }
}

// sums[c][col] += the sum of the rows of group g (class c), counts[c] += its size: one thread per
// (group, column); each output is touched by one thread, so no atomics.
__global__ void accumulate_groups_kernel(const float* __restrict__ t, const int* __restrict__ labels,
                                         const int* __restrict__ order, const int* __restrict__ starts,
                                         const int* __restrict__ groups, int d, double* __restrict__ sums,
                                         long long* __restrict__ counts) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= d) return;
    for (int g = blockIdx.y; g < *groups; g += gridDim.y) {
        const int c = labels[order[starts[g]]];
        double s = 0.0;
        for (int r = starts[g]; r < starts[g + 1]; ++r) s += static_cast<double>(t[static_cast<long long>(order[r]) * d + col]);
        sums[static_cast<long long>(c) * d + col] += s;
        if (col == 0) counts[c] += starts[g + 1] - starts[g];
    }
}

}  // namespace

long long center_scratch_doubles(int m, int dt, int classes) {
    return 3LL * m * classes          // xu, fu, w
           + 2LL * m * dt             // xc, fc
           + 1LL * classes * dt       // uc
           + 4LL * m + classes + dt;  // nx, nf, row_w, row_value, nu, shift
}

long long group_scratch_ints(int n) { return 2LL * n + 2; }

cudaError_t group_by_label(const int* labels, int n, int* scratch, cudaStream_t stream) {
    int* order = scratch;
    int* starts = order + n;
    int* groups = starts + n + 1;
    HORKD_LAUNCH(rank_by_label_kernel, blocks_for(n, kThreads), kThreads, 0, stream)(labels, n, order);
    HORKD_LAUNCH(group_starts_kernel, 1, 32, 0, stream)(labels, order, n, starts, groups);
    return cudaGetLastError();
}

namespace {
// Columns in blocks of 128 along x, groups strided along y (at most one per sample).
dim3 group_grid(int n, int cols) { return dim3((cols + 127) / 128, static_cast<unsigned>(n < 65535 ? n : 65535)); }
}  // namespace

cudaError_t batch_centers(const double* f, const int* labels, int m, int dt, int capacity, double* u, int* scratch,
                          cudaStream_t stream) {
    // Rows past C' stay zero: W U multiplies them by zero weights, and 0 * garbage may be NaN.
    cudaError_t err = cudaMemsetAsync(u, 0, sizeof(double) * capacity * dt, stream);
    if (err != cudaSuccess) return err;
    if ((err = group_by_label(labels, m, scratch, stream)) != cudaSuccess) return err;
    const int* order = scratch;
    const int* starts = order + m;
    const int* groups = starts + m + 1;
    HORKD_LAUNCH(group_means_kernel, group_grid(m, dt), 128, 0, stream)(f, order, starts, groups, dt, u);
    return cudaGetLastError();
}

cudaError_t center_loss(const double* x, const double* f, const double* u, int classes, const int* present, int m,
                        int dt, double* dx, double* value, double* scratch, cudaStream_t stream) {
    double* xu = scratch;
    double* fu = xu + static_cast<long long>(m) * classes;
    double* w = fu + static_cast<long long>(m) * classes;
    double* xc = w + static_cast<long long>(m) * classes;
    double* fc = xc + static_cast<long long>(m) * dt;
    double* uc = fc + static_cast<long long>(m) * dt;
    double* nx = uc + static_cast<long long>(classes) * dt;
    double* nf = nx + m;
    double* row_w = nf + m;
    double* row_value = row_w + m;
    double* nu = row_value + m;
    double* shift = nu + classes;
    const long long mdt = static_cast<long long>(m) * dt;
    const long long cdt = static_cast<long long>(classes) * dt;
    cudaError_t err;
    HORKD_LAUNCH(center_shift_kernel, blocks_for(dt, 128), 128, 0, stream)(u, present, classes, dt, shift);
    HORKD_LAUNCH(subtract_shift_kernel, blocks_for(mdt, 256), 256, 0, stream)(x, m, dt, shift, xc);
    HORKD_LAUNCH(subtract_shift_kernel, blocks_for(mdt, 256), 256, 0, stream)(f, m, dt, shift, fc);
    HORKD_LAUNCH(subtract_shift_kernel, blocks_for(cdt, 256), 256, 0, stream)(u, classes, dt, shift, uc);
    if ((err = cudaGetLastError()) != cudaSuccess) return err;
    // Rows of u past C' (batch scope) are zero; their products are ignored by center_rows_kernel.
    if ((err = gemm(false, true, m, classes, dt, 1.0, xc, dt, uc, dt, xu, classes, false, stream)) != cudaSuccess) return err;
    if ((err = gemm(false, true, m, classes, dt, 1.0, fc, dt, uc, dt, fu, classes, false, stream)) != cudaSuccess) return err;
    if ((err = dot_rows(xc, xc, m, dt, dt, nx, stream)) != cudaSuccess) return err;
    if ((err = dot_rows(fc, fc, m, dt, dt, nf, stream)) != cudaSuccess) return err;
    if ((err = dot_rows(uc, uc, classes, dt, dt, nu, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(center_rows_kernel, m, kThreads, 0, stream)(xu, fu, nx, nf, nu, present, classes, m, dx ? w : nullptr,
                                                   dx ? row_w : nullptr, row_value);
    HORKD_LAUNCH(value_scale_kernel, 1, 1024, 0, stream)(row_value, m, present, classes, value);
    if ((err = cudaGetLastError()) != cudaSuccess || dx == nullptr) return err;
    if ((err = gemm(false, false, m, dt, classes, 1.0, w, classes, uc, dt, dx, dt, false, stream)) != cudaSuccess) return err;
    HORKD_LAUNCH(center_grad_kernel, blocks_for(mdt, 256), 256, 0, stream)(xc, row_w, m, dt, dx);
    return cudaGetLastError();
}

cudaError_t center_accumulate(const float* t, const int* labels, int n, int d, double* sums, long long* counts,
                              int* scratch, cudaStream_t stream) {
    cudaError_t err = group_by_label(labels, n, scratch, stream);
    if (err != cudaSuccess) return err;
    const int* order = scratch;
    const int* starts = order + n;
    const int* groups = starts + n + 1;
    HORKD_LAUNCH(accumulate_groups_kernel, group_grid(n, d), 128, 0, stream)(t, labels, order, starts, groups, d, sums, counts);
    return cudaGetLastError();
}

}  // namespace horkd
