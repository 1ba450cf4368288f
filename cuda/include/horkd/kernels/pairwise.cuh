// L2, the normalised pairwise-distance loss, on one problem, from the float64 Gram matrices of the centred
// student and teacher features. The same formulas as the CPU backend (backend/cpu/PairwiseKernel.java):
//
//   forward:  D_ij = sqrt(max(G_ii + G_jj - 2 G_ij, EPS)) (0 on the diagonal),  mu = sum D / (m(m-1)),
//             e_ij = D^g_ij/mu_g - D^f_ij/mu_f,   L = sum_{i!=j} l(e_ij) / N
//   backward: a_ij = l'(e_ij)/N,   c = sum a_ij psi^g_ij / (m(m-1))            (c: mu's share)
//             s_ij = (a_ij - c) / (2 mu_g D^g_ij) where the squared distance >= EPS   (= dL/dsq_ij)
//             K_ij -= 4 coef s_ij (i != j),  K_ii += 4 coef sum_j s_ij            (K = dL/dG + dL/dG^T)
//
// Deterministic: one block per row, fixed-order block sums, no atomics.
#pragma once

#include <cuda_runtime.h>

namespace horkd {

enum class Penalty { kSquare = 1, kHuber = 2 };

// Scratch (device doubles) that distance_loss() needs: 2 m^2 + 4 m + 4.
long long pairwise_scratch_doubles(int m);

// value[0] = L2 of the problem (device scalar); when k != nullptr, k += coef * K (m x m, row-major).
cudaError_t distance_loss(const double* gram_s, const double* gram_t, int m, Penalty penalty, double divisor,
                          double coef, double* k, double* value, double* scratch, cudaStream_t stream);

}  // namespace horkd
