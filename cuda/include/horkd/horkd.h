/*
 * horkd C API: the only interface of libhorkd_cuda.so.
 *
 * Plain C on purpose: JavaCPP (and ctypes, and anything else) binds it without seeing C++ or CUDA
 * types. Every function returns a horkd_status; on failure horkd_last_error() holds a sentence that
 * says what went wrong on the calling thread. Pointers named d_* are device pointers; nothing here
 * copies between host and device unless its name says so. Streams travel as opaque pointers
 * (a cudaStream_t, or NULL for the legacy default stream).
 *
 * The same API is built without CUDA (cuda/src/stub.c): then horkd_built_with_cuda() is 0 and every
 * device function returns HORKD_ERROR_NO_CUDA, so callers probe once and never branch on build flags.
 */
#ifndef HORKD_HORKD_H
#define HORKD_HORKD_H

#if defined(__GNUC__)
#define HORKD_API __attribute__((visibility("default")))
#else
#define HORKD_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define HORKD_VERSION_MAJOR 0
#define HORKD_VERSION_MINOR 1
#define HORKD_VERSION_PATCH 0

typedef enum horkd_status {
    HORKD_SUCCESS = 0,
    HORKD_ERROR_NO_CUDA = 1,          /* this library was built without CUDA (the stub) */
    HORKD_ERROR_NO_DEVICE = 2,        /* CUDA compiled in, but no driver or no device */
    HORKD_ERROR_INVALID_ARGUMENT = 3, /* null pointer, non-positive size, size overflow */
    HORKD_ERROR_OUT_OF_MEMORY = 4,    /* a device allocation failed */
    HORKD_ERROR_CUDA = 5              /* any other CUDA runtime error (see horkd_last_error) */
} horkd_status;

/* Opaque CUDA stream (cudaStream_t); NULL means the legacy default stream. */
typedef void* horkd_stream;

/* Library version as MAJOR*10000 + MINOR*100 + PATCH. */
HORKD_API int horkd_version(void);

/* 1 when the CUDA kernels are compiled in, 0 for the stub. Never fails, never touches CUDA. */
HORKD_API int horkd_built_with_cuda(void);

/* Fixed English name of a status code ("HORKD_ERROR_NO_DEVICE"); never NULL. */
HORKD_API const char* horkd_status_string(int status);

/* Detail of the last failure on this thread ("" if none); valid until the next call on this thread. */
HORKD_API const char* horkd_last_error(void);

/*
 * Number of usable CUDA devices in *count (0 where there is no driver or no device).
 * Returns HORKD_SUCCESS with *count >= 1, HORKD_ERROR_NO_DEVICE with *count == 0 (the CUDA error,
 * e.g. cudaErrorInsufficientDriver (35) on a machine without a driver, is in horkd_last_error), or
 * HORKD_ERROR_NO_CUDA from the stub.
 */
HORKD_API int horkd_device_count(int* count);

/* CUDA runtime version the library was built with (e.g. 13000), or 0 for the stub. */
HORKD_API int horkd_cuda_runtime_version(void);

/*
 * Row centring, the first step of every relational loss (see cuda/src/centering.cu).
 * For each of `batch` problems of `m` rows and `d` columns, row-major and contiguous:
 *   d_out[b,i,k]    = d_x[b,i,k] - mean_i d_x[b,i,k]     (mean taken in double)
 *   d_sq_norms[b,i] = sum_k d_out[b,i,k]^2               (d_sq_norms may be NULL)
 * d_out may not alias d_x. Asynchronous on `stream`.
 */
HORKD_API int horkd_center_rows(const float* d_x, float* d_out, float* d_sq_norms, int batch, int m,
                                int d, horkd_stream stream);

/* Blocks until all work on `stream` is done; reports errors of earlier asynchronous launches. */
HORKD_API int horkd_stream_synchronize(horkd_stream stream);

/* Thin allocation and copy helpers so bindings need no CUDA runtime of their own. */
HORKD_API int horkd_malloc(void** d_ptr, long long bytes);
HORKD_API int horkd_free(void* d_ptr);
HORKD_API int horkd_memcpy_h2d(void* d_dst, const void* src, long long bytes, horkd_stream stream);
HORKD_API int horkd_memcpy_d2h(void* dst, const void* d_src, long long bytes, horkd_stream stream);

#ifdef __cplusplus
}
#endif

#endif /* HORKD_HORKD_H */
