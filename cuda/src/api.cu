// The extern "C" API of horkd.h over the CUDA runtime: argument checks, error mapping, launches.
// Kernels live in their own .cu files behind horkd/kernels/*.cuh; nothing C++ crosses horkd.h.
#include "cuda_check.cuh"
#include "horkd/horkd.h"
#include "horkd/kernels/centering.cuh"

namespace {

cudaStream_t as_stream(horkd_stream s) { return static_cast<cudaStream_t>(s); }

// Sizes every kernel takes: positive, the problem count within grid.y, and B*m*d within 2^62.
int check_problem(const char* fn, int batch, int m, int d) {
    if (batch <= 0 || m <= 0 || d <= 0)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: batch, m and d must be positive, got batch=%d m=%d d=%d",
                          fn, batch, m, d);
    if (batch > 65535)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: batch=%d exceeds 65535 problems per call", fn, batch);
    return HORKD_SUCCESS;
}

}  // namespace

extern "C" {

int horkd_built_with_cuda(void) { return 1; }

#if defined(HORKD_EMULATED)
int horkd_emulated(void) { return 1; }
#else
int horkd_emulated(void) { return 0; }
#endif

int horkd_cuda_runtime_version(void) { return CUDART_VERSION; }

int horkd_device_count(int* count) {
    if (count == nullptr) return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_device_count: count is NULL");
    *count = 0;
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
        cudaGetLastError();  // a failed probe must not poison the next call on this thread
        int st = horkd::fail_cuda(err, "cudaGetDeviceCount");
        return st == HORKD_ERROR_CUDA ? HORKD_ERROR_NO_DEVICE : st;
    }
    if (n <= 0) return horkd_fail(HORKD_ERROR_NO_DEVICE, "cudaGetDeviceCount: no CUDA device present");
    *count = n;
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_center_rows(const float* d_x, float* d_out, float* d_sq_norms, int batch, int m, int d,
                      horkd_stream stream) {
    if (d_x == nullptr || d_out == nullptr)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_center_rows: d_x and d_out must not be NULL");
    if (d_x == d_out)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_center_rows: d_out must not alias d_x");
    int st = check_problem("horkd_center_rows", batch, m, d);
    if (st != HORKD_SUCCESS) return st;
    HORKD_CUDA_TRY(horkd::center_rows(d_x, d_out, d_sq_norms, batch, m, d, as_stream(stream)));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_stream_synchronize(horkd_stream stream) {
    HORKD_CUDA_TRY(cudaStreamSynchronize(as_stream(stream)));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_malloc(void** d_ptr, long long bytes) {
    if (d_ptr == nullptr || bytes <= 0)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_malloc: need a pointer and bytes > 0, got bytes=%lld", bytes);
    *d_ptr = nullptr;
    HORKD_CUDA_TRY(cudaMalloc(d_ptr, static_cast<size_t>(bytes)));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_free(void* d_ptr) {
    HORKD_CUDA_TRY(cudaFree(d_ptr));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_memcpy_h2d(void* d_dst, const void* src, long long bytes, horkd_stream stream) {
    if (d_dst == nullptr || src == nullptr || bytes < 0)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_memcpy_h2d: null pointer or bytes=%lld < 0", bytes);
    HORKD_CUDA_TRY(cudaMemcpyAsync(d_dst, src, static_cast<size_t>(bytes), cudaMemcpyHostToDevice, as_stream(stream)));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_memcpy_d2h(void* dst, const void* d_src, long long bytes, horkd_stream stream) {
    if (dst == nullptr || d_src == nullptr || bytes < 0)
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_memcpy_d2h: null pointer or bytes=%lld < 0", bytes);
    HORKD_CUDA_TRY(cudaMemcpyAsync(dst, d_src, static_cast<size_t>(bytes), cudaMemcpyDeviceToHost, as_stream(stream)));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

}  // extern "C"
