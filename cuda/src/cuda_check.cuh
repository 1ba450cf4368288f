// Maps CUDA runtime errors onto horkd_status and records the detail for horkd_last_error().
#pragma once

#include <cuda_runtime.h>

#include "horkd/horkd.h"
#include "internal.h"

namespace horkd {

inline int status_of(cudaError_t err) {
    switch (err) {
        case cudaSuccess: return HORKD_SUCCESS;
        case cudaErrorMemoryAllocation: return HORKD_ERROR_OUT_OF_MEMORY;
        case cudaErrorNoDevice:
        case cudaErrorInsufficientDriver:
        case cudaErrorInitializationError: return HORKD_ERROR_NO_DEVICE;
        default: return HORKD_ERROR_CUDA;
    }
}

// Turns a CUDA error into a horkd status with "<what>: <cuda name> (<code>): <cuda message>".
inline int fail_cuda(cudaError_t err, const char* what) {
    return horkd_fail(status_of(err), "%s: %s (%d): %s", what, cudaGetErrorName(err), (int)err,
                      cudaGetErrorString(err));
}

}  // namespace horkd

// Every CUDA call in an API function goes through this: on failure it returns from the function.
#define HORKD_CUDA_TRY(call)                                              \
    do {                                                                  \
        cudaError_t horkd_err_ = (call);                                  \
        if (horkd_err_ != cudaSuccess) return horkd::fail_cuda(horkd_err_, #call); \
    } while (0)
