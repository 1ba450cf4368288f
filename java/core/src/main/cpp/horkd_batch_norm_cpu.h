// Batch normalisation's per-channel loops on the CPU, for horkd_batch_norm (java/nd4j, BatchNormKernel).
//
// One channel is n rows of hw values, rows `stride` elements apart. Every loop is element-wise over a row,
// so the compiler vectorises it; sums are kept per position (float64) over the rows and folded over the
// positions in order, blocks of BLOCK positions at a time (their accumulators stay in L1). The results are
// the same bits on every CPU and in the Java twin (BatchNormKernel's fallback): no reassociation, no FMA
// (the clones are "avx2" and "default", neither of which has FMA instructions to contract into).
#pragma once
#include <stdint.h>

namespace horkd_bn {
constexpr int BLOCK = 256;

// out = {sum v, sum v^2, sum d, sum d v} with v = x - k, d = dy (the last two only where dy is not null).
template <typename T>
__attribute__((always_inline)) inline void sums(const T* x, const T* dy, int n, int64_t stride, int hw, double k,
                                                double* out) {
    double a0[BLOCK], a1[BLOCK], a2[BLOCK], a3[BLOCK];
    double s = 0, ss = 0, sd = 0, sdv = 0;
    for (int j0 = 0; j0 < hw; j0 += BLOCK) {
        const int len = hw - j0 < BLOCK ? hw - j0 : BLOCK;
        for (int j = 0; j < len; j++) a0[j] = a1[j] = a2[j] = a3[j] = 0;
        for (int i = 0; i < n; i++) {
            const T* xr = x + i * stride + j0;
            if (dy) {
                const T* dr = dy + i * stride + j0;
                for (int j = 0; j < len; j++) {
                    const double v = (double)xr[j] - k, d = (double)dr[j];
                    a0[j] += v;
                    a1[j] += v * v;
                    a2[j] += d;
                    a3[j] += d * v;
                }
            } else {
                for (int j = 0; j < len; j++) {
                    const double v = (double)xr[j] - k;
                    a0[j] += v;
                    a1[j] += v * v;
                }
            }
        }
        for (int j = 0; j < len; j++) {
            s += a0[j];
            ss += a1[j];
            sd += a2[j];
            sdv += a3[j];
        }
    }
    out[0] = s;
    out[1] = ss;
    out[2] = sd;
    out[3] = sdv;
}

// y = x scale + shift
template <typename T>
__attribute__((always_inline)) inline void normalize(const T* x, T* y, int n, int64_t stride, int hw, double scale,
                                                     double shift) {
    for (int i = 0; i < n; i++) {
        const T* xr = x + i * stride;
        T* yr = y + i * stride;
        for (int j = 0; j < hw; j++) yr[j] = (T)((double)xr[j] * scale + shift);
    }
}

// dx = g (dy - a - (x - mean) b)
template <typename T>
__attribute__((always_inline)) inline void dx(const T* x, const T* dy, T* out, int n, int64_t stride, int hw, double g,
                                              double a, double mean, double b) {
    for (int i = 0; i < n; i++) {
        const T* xr = x + i * stride;
        const T* dr = dy + i * stride;
        T* outr = out + i * stride;
        for (int j = 0; j < hw; j++) outr[j] = (T)(g * ((double)dr[j] - a - ((double)xr[j] - mean) * b));
    }
}
}  // namespace horkd_bn

#define HORKD_BN_CLONES __attribute__((target_clones("avx2", "default")))

// The entry points: float32 and float64, each array with an element offset to the channel's first value.
HORKD_BN_CLONES void horkd_bn_sums_f32(const float* x, int64_t xo, const float* dy, int64_t dyo, int n, int64_t stride,
                                       int hw, double k, double* out) {
    horkd_bn::sums(x + xo, dy ? dy + dyo : nullptr, n, stride, hw, k, out);
}
HORKD_BN_CLONES void horkd_bn_sums_f64(const double* x, int64_t xo, const double* dy, int64_t dyo, int n,
                                       int64_t stride, int hw, double k, double* out) {
    horkd_bn::sums(x + xo, dy ? dy + dyo : nullptr, n, stride, hw, k, out);
}
HORKD_BN_CLONES void horkd_bn_normalize_f32(const float* x, float* y, int64_t o, int n, int64_t stride, int hw,
                                            double scale, double shift) {
    horkd_bn::normalize(x + o, y + o, n, stride, hw, scale, shift);
}
HORKD_BN_CLONES void horkd_bn_normalize_f64(const double* x, double* y, int64_t o, int n, int64_t stride, int hw,
                                            double scale, double shift) {
    horkd_bn::normalize(x + o, y + o, n, stride, hw, scale, shift);
}
HORKD_BN_CLONES void horkd_bn_dx_f32(const float* x, const float* dy, float* dx, int64_t o, int n, int64_t stride,
                                     int hw, double g, double a, double mean, double b) {
    horkd_bn::dx(x + o, dy + o, dx + o, n, stride, hw, g, a, mean, b);
}
HORKD_BN_CLONES void horkd_bn_dx_f64(const double* x, const double* dy, double* dx, int64_t o, int n, int64_t stride,
                                     int hw, double g, double a, double mean, double b) {
    horkd_bn::dx(x + o, dy + o, dx + o, n, stride, hw, g, a, mean, b);
}
