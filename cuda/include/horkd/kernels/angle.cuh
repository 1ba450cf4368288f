// L3, the triplet-angle Huber loss, on one problem: O(m^3) work over O(m^2) memory, deterministic.
// The same formulas as the CPU backend (backend/cpu/AngleKernel.java); in brief, with the Gram matrix G,
// inverse leg lengths r (0 on the diagonal and for legs shorter than sqrt(EPS)) and a = huber'(e):
//
//   cos_ijk = (G_ik - G_ij - G_kj + G_jj) r_ij r_kj,   e = cos^g - cos^f,   L = sum huber(e) / N
//   b_ijk = a r_ij r_kj,   B^j_i = sum_k a_ijk r_kj,   Q^j_i = sum_k a_ijk cos^g_ijk
//   K_pq += coef/N [ 2 M_pq - 2 r_pq (B^q_p + B^p_q) + 2 r_pq^2 (Q^q_p + Q^p_q) ]        (p != q)
//   K_pp += coef/N 2 [ -sum_j r_pj^2 Q^j_p + sum_q (r_pq B^p_q - r_pq^2 Q^p_q) ],   M_ik = sum_j b_ijk
//
// The sums run along two different axes of the triplet tensor, so two passes share the triplet work
// without atomics: the vertex pass (grid over vertices j and tiles of i, loop over k) gives the value,
// B and Q; the pair pass (grid over the upper triangle of (i, k) tiles, loop over j) gives M, which is
// symmetric (b_ijk = b_kji), so it computes half the tiles.
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// Scratch (device doubles) that angle_loss() needs.
long long angle_scratch_doubles(int m);

// value[0] = L3 of the problem (device scalar); when k != nullptr, k += coef * (dL/dG + dL/dG^T).
cudaError_t angle_loss(const double* gram_s, const double* gram_t, int m, double divisor, double coef, double* k,
                       double* value, double* scratch, cudaStream_t stream);

// out[m x d] = sum_j K_ij (c_j - c_i), computed as K C - diag(K 1) C: both relational losses depend on
// differences only, so K's rows sum to 0 in exact arithmetic and the subtraction removes what rounding
// left. `out` is overwritten.
cudaError_t laplacian_times(const double* k, const double* c, int m, int d, double* out, cudaStream_t stream);

}  // namespace horkd
