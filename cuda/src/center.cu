// LC forward and backward, batch centres and dataset-centre accumulation (see horkd/kernels/center.cuh).
#include "horkd/kernels/center.cuh"
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/gemm.cuh"
#include "launch.cuh"

namespace horkd {
namespace {

constexpr int kThreads = 256;

// Counts per class, then the compacted index of each present class: one block, fixed order.
__global__ void class_index_kernel(const int* __restrict__ labels, int m, int classes, int* __restrict__ index,
                                   int* __restrict__ present) {
    for (int c = threadIdx.x; c < classes; c += blockDim.x) index[c] = 0;
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int i = 0; i < m; ++i) index[labels[i]] = 1;
        int next = 0;
        for (int c = 0; c < classes; ++c) index[c] = index[c] ? next++ : -1;
        *present = next;
    }
}

// u[index[c]][col] = mean of f[i][col] over i with label c: one thread per (class, column).
__global__ void class_means_kernel(const double* __restrict__ f, const int* __restrict__ labels, int m, int dt,
                                   int classes, const int* __restrict__ index, double* __restrict__ u) {
    const int c = blockIdx.y;
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= classes || col >= dt || index[c] < 0) return;
    double sum = 0.0;
    int count = 0;
    for (int i = 0; i < m; ++i) {
        if (labels[i] == c) {
            sum += f[static_cast<long long>(i) * dt + col];
            ++count;
        }
    }
    u[static_cast<long long>(index[c]) * dt + col] = sum / count;
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

__global__ void accumulate_kernel(const float* __restrict__ t, const int* __restrict__ labels, int n, int d,
                                  int classes, double* __restrict__ sums, long long* __restrict__ counts) {
    const int c = blockIdx.y;
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= classes || col >= d) return;
    double s = 0.0;
    long long count = 0;
    for (int i = 0; i < n; ++i) {
        if (labels[i] == c) {
            s += static_cast<double>(t[static_cast<long long>(i) * d + col]);
            ++count;
        }
    }
    sums[static_cast<long long>(c) * d + col] += s;
    if (col == 0) counts[c] += count;
}

}  // namespace

long long center_scratch_doubles(int m, int dt, int classes) {
    return 3LL * m * classes          // xu, fu, w
           + 2LL * m * dt             // xc, fc
           + 1LL * classes * dt       // uc
           + 4LL * m + classes + dt;  // nx, nf, row_w, row_value, nu, shift
}

cudaError_t batch_centers(const double* f, const int* labels, int m, int dt, int classes, double* u, int* present,
                          double* scratch, cudaStream_t stream) {
    int* index = reinterpret_cast<int*>(scratch);  // classes ints
    // Rows past C' stay zero: W U multiplies them by zero weights, and 0 * garbage may be NaN.
    cudaError_t err = cudaMemsetAsync(u, 0, sizeof(double) * classes * dt, stream);
    if (err != cudaSuccess) return err;
    HORKD_LAUNCH(class_index_kernel, 1, kThreads, 0, stream)(labels, m, classes, index, present);
    dim3 grid((dt + 127) / 128, classes);
    HORKD_LAUNCH(class_means_kernel, grid, 128, 0, stream)(f, labels, m, dt, classes, index, u);
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

cudaError_t center_accumulate(const float* t, const int* labels, int n, int d, int classes, double* sums,
                              long long* counts, cudaStream_t stream) {
    dim3 grid((d + 127) / 128, classes);
    HORKD_LAUNCH(accumulate_kernel, grid, 128, 0, stream)(t, labels, n, d, classes, sums, counts);
    return cudaGetLastError();
}

}  // namespace horkd
