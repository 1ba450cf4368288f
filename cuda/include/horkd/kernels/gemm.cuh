// Dense products in float64: every relational loss needs some (Gram matrices, K C, X U^T, W U, dX P,
// dX^T g). Hand-written (no cuBLAS, so nothing to ship beside libhorkd_cuda.so): shared-memory tiles of
// 64 x 64 outputs, depth 16 per stage, each of 256 threads accumulating a 4 x 4 block with FMA.
//
// Every element is a single FMA chain over the depth in ascending order, whatever the tile: so
// G = X X^T comes out exactly symmetric, G_ij equals a sequential fma-dot of rows i and j
// (dot_rows() below reproduces it), and duplicate rows give squared distances of exactly 0.
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// C[m x n] = alpha * op(A) op(B) + (accumulate ? C : 0), row-major, leading dimensions lda/ldb/ldc.
// op(A) is A [m x k], or A^T with A stored [k x m] when trans_a; op(B) is B [k x n], or B^T with B stored
// [n x k] when trans_b.
cudaError_t gemm(bool trans_a, bool trans_b, int m, int n, int k, double alpha, const double* a, int lda,
                 const double* b, int ldb, double* c, int ldc, bool accumulate, cudaStream_t stream);

// out[i] = sum_p x[i*ld + p] * y[i*ld + p] for i < rows (p < k), one sequential FMA chain per row: the
// same bits as the corresponding gemm() element.
cudaError_t dot_rows(const double* x, const double* y, int rows, int k, int ld, double* out, cudaStream_t stream);

}  // namespace horkd
