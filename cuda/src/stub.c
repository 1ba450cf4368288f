/*
 * The C API without CUDA: built where nvcc is absent, so the Java jar still loads its native library
 * and reports "no CUDA" instead of failing to link. Keep it in step with horkd.h: every device
 * function of the API is here and returns HORKD_ERROR_NO_CUDA.
 */
#include "horkd/horkd.h"
#include "internal.h"

#define NO_CUDA() horkd_fail(HORKD_ERROR_NO_CUDA, "libhorkd_cuda was built without CUDA (nvcc was not found)")

int horkd_built_with_cuda(void) { return 0; }
int horkd_cuda_runtime_version(void) { return 0; }

int horkd_device_count(int* count) {
    if (count) *count = 0;
    return NO_CUDA();
}

int horkd_center_rows(const float* d_x, float* d_out, float* d_sq_norms, int batch, int m, int d,
                      horkd_stream stream) {
    (void)d_x; (void)d_out; (void)d_sq_norms; (void)batch; (void)m; (void)d; (void)stream;
    return NO_CUDA();
}

int horkd_stream_synchronize(horkd_stream stream) { (void)stream; return NO_CUDA(); }
int horkd_malloc(void** d_ptr, long long bytes) { if (d_ptr) *d_ptr = 0; (void)bytes; return NO_CUDA(); }
int horkd_free(void* d_ptr) { (void)d_ptr; return NO_CUDA(); }
int horkd_memcpy_h2d(void* d_dst, const void* src, long long bytes, horkd_stream stream) {
    (void)d_dst; (void)src; (void)bytes; (void)stream;
    return NO_CUDA();
}
int horkd_memcpy_d2h(void* dst, const void* d_src, long long bytes, horkd_stream stream) {
    (void)dst; (void)d_src; (void)bytes; (void)stream;
    return NO_CUDA();
}
