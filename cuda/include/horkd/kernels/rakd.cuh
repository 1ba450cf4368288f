// Resolution-aware distillation's cross-resolution terms (seed 002; METHODS.md) on one problem, in float64.
// The same formulas as the CPU backend (backend/cpu/RakdKernels.java) and ReferenceRakd:
//
//   MMD^2:  z = [x; f] (2m points, centred: distances do not move, their Gram form keeps its digits),
//           D_ab = max(G_aa + G_bb - 2 G_ab, 0) (0 on the diagonal), beta = sum D / (2m (2m - 1)) (a constant),
//           K(d) = sum_q exp(-d / (s_q beta)), k'(d) = dK/dd,  L = (1/m^2) sum_ij K(Dxx) + K(Dff) - 2 K(Dxf)
//           dL/dx_a = (4/m^2) (rowsum(M)_a z_a - (M z)_a),  M = [k'(Dxx), -k'(Dxf)]      (beta = 0: L = 0, no grad)
//   pair-wise constraint:  C = g^ g^^T (rows normalised, floor 1e-12),  L = sum_{i!=j} (C^s - C^t)_ij^2 / (m(m-1))
//           dL/dg^ = E g^,  E_ij = 4 (C^s - C^t)_ij / (m(m-1)) off the diagonal,  dL/dg_i = (e - g^ (g^ . e)) / |g_i|
//
// Deterministic: one block per row, fixed-order block sums, no atomics; the products are gemm()'s.
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// Scratch (device doubles) that mmd_loss() needs.
long long mmd_scratch_doubles(int m, int d);

// value[0] = MMD^2 of x [m x d] against f [m x d] (device doubles); dx (may be nullptr) = dL/dx [m x d].
cudaError_t mmd_loss(const double* x, const double* f, int m, int d, double* dx, double* value, double* scratch,
                     cudaStream_t stream);

// Scratch (device doubles) that cosine_constraint() needs.
long long cosine_scratch_doubles(int m, int ds, int dt);

// value[0] = the pair-wise constraint of g [m x ds] against f [m x dt]; dg (may be nullptr) = dL/dg [m x ds].
// m < 2: 0 and a zero gradient.
cudaError_t cosine_constraint(const double* g, const double* f, int m, int ds, int dt, double* dg, double* value,
                              double* scratch, cudaStream_t stream);

}  // namespace horkd
