// Row centring: the first step of every relational loss.
//
// Distances, angles and centre distances do not change when every row of a problem is shifted by the
// same vector, but the Gram form |x_i|^2 + |x_j|^2 - 2 x_i.x_j loses digits to cancellation in float32
// when the rows sit far from the origin (LOSSES.md: an offset of 3 gave 2e-3 error uncentred, 3e-7
// centred). So each problem's column mean is taken in double and removed before any Gram tile.
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// out[b,i,k] = x[b,i,k] - mean_i x[b,i,k]; sq_norms[b,i] = |out[b,i,:]|^2 when sq_norms != nullptr.
// Row-major, contiguous [batch, m, d]; out must not alias x. Returns the launch error, if any.
cudaError_t center_rows(const float* x, float* out, float* sq_norms, int batch, int m, int d,
                        cudaStream_t stream);

// out[b,i,k] = x[b,i,k] - mean_i x[b,i,k] in float64 (exact to double rounding): the input of the float64
// Gram matrices of the relational losses.
cudaError_t center_rows_double(const float* x, double* out, int batch, int m, int d, cudaStream_t stream);

}  // namespace horkd
