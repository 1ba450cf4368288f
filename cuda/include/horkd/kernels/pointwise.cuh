// L1 (point-wise) and Hinton KD: small element-wise and per-row kernels, so that a whole hybrid step
// stays on the device. Same formulas as the CPU backend:
//   L1:  L = mean pen(x - f), pen = |.| (MAE) or (.)^2 (MSE);  dL/dx = pen'(x - f) / (m dt)
//   KD:  KD = T^2/m sum_i KL(softmax(t_i/T) || softmax(s_i/T));  dKD/ds_i = T/m (softmax(s_i/T) - softmax(t_i/T))
#pragma once

#include <cuda_runtime.h>

namespace horkd {

// value[0] = L1 of x vs f (double [m x dt]); dx (may be nullptr) = dL/dx. Scratch: m doubles.
cudaError_t pointwise_loss(const double* x, const double* f, int m, int dt, bool mse, double* dx, double* value,
                           double* scratch, cudaStream_t stream);

// value[0] = KD of logits s, t (float [m x classes]); ds (may be nullptr, double [m x classes]) = dKD/ds.
// Scratch: m doubles.
cudaError_t hinton_loss(const float* s, const float* t, int m, int classes, double temperature, double* ds,
                        double* value, double* scratch, cudaStream_t stream);

}  // namespace horkd
