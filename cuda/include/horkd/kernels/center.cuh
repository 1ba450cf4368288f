// LC, the class-centre loss, on one problem, in float64 (the same formulas as the CPU backend,
// backend/cpu/CenterKernel.java):
//
//   x = g P^T (or g); x, f and the centres u shifted by the centres' mean (distances unchanged)
//   sq^x_ic = |x_i|^2 + |u_c|^2 - 2 x_i.u_c      (one product X U^T; norms as the same FMA chains)
//   L = sum_ic (D^x_ic - D^f_ic)^2 / (m C'),   W_ic = 2 (D^x_ic - D^f_ic) / (m C' D^x_ic) where sq^x >= EPS
//   dL/dx_i = (sum_c W_ic) x_i - (W U)_i
//
// Batch scope: the centres are the means of f per label over the classes present (fixed-order sums).
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// Device doubles that center_loss() needs for m samples, width dt and at most `classes` centres.
long long center_scratch_doubles(int m, int dt, int classes);

// Ints of scratch that group_by_label() needs for n samples.
long long group_scratch_ints(int n);
// Groups n samples by label, without a per-class array: scratch = [order (n), starts (n + 1), groups (1)],
// order listing the samples by (label, index), group g holding ranks starts[g] .. starts[g+1]-1, G =
// *groups groups in increasing label. Labels must lie in 0..classes-1 (checked by the caller).
cudaError_t group_by_label(const int* labels, int n, int* scratch, cudaStream_t stream);
// Batch-scope centres: u[g] = mean of the rows of f (double [m x dt]) of the g-th label present in
// `labels` (device ints), in increasing label order, rows from C' to capacity-1 zero; C' is the `groups`
// int of scratch (group_scratch_ints(m) ints). capacity >= C' (min(classes, m) suffices).
cudaError_t batch_centers(const double* f, const int* labels, int m, int dt, int capacity, double* u, int* scratch,
                          cudaStream_t stream);
// value[0] = LC; when dx != nullptr, dx (m x dt) = dL/dx. x, f: double [m x dt]; u: double [classes x dt],
// of which the first C' rows are centres: C' = *present (device) when present != nullptr, else `classes`.
cudaError_t center_loss(const double* x, const double* f, const double* u, int classes, const int* present, int m,
                        int dt, double* dx, double* value, double* scratch, cudaStream_t stream);

// Dataset centres, accumulated batch after batch: sums[c x d] += sum of rows of t (float [n x d]) with label c;
// counts[c] += their number, for the classes present (any number of classes). Deterministic: each output
// summed by one thread in sample order. scratch: group_scratch_ints(n) ints.
cudaError_t center_accumulate(const float* t, const int* labels, int n, int d, double* sums, long long* counts,
                              int* scratch, cudaStream_t stream);

}  // namespace horkd
