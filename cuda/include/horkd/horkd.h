/*
 * horkd C API: the only interface of libhorkd_cuda.so.
 *
 * Plain C on purpose: JavaCPP (and ctypes, and anything else) binds it without seeing C++ or CUDA
 * types. Every function returns a horkd_status; on failure horkd_last_error() holds a sentence that
 * says what went wrong on the calling thread, and nothing was written. Pointers named d_* are device
 * pointers; nothing here copies between host and device unless its name says so.
 *
 * Streams, one rule for every function: a horkd_stream is a cudaStream_t, and NULL is the legacy default
 * stream, as in the CUDA runtime. So a caller that enqueues its inputs on the default stream and passes
 * NULL gets them in order; a caller on its own stream passes it. (The _host entry points take no stream:
 * they stage through the workspace's own stream and return when done.)
 *
 * The same API is built without CUDA (cuda/src/stub.c): then horkd_built_with_cuda() is 0 and every
 * device function returns HORKD_ERROR_NO_CUDA, so callers probe once and never branch on build flags.
 * Built against the emulated device (cmake -DHORKD_EMULATE=ON, docs/CUDA-EMULATION.md) it runs every
 * kernel on the CPU: horkd_emulated() is 1 and horkd_device_count() reports one device.
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

/* Opaque CUDA stream (cudaStream_t); NULL means the legacy default stream (see the rule above). */
typedef void* horkd_stream;

/* Library version as MAJOR*10000 + MINOR*100 + PATCH. */
HORKD_API int horkd_version(void);

/* 1 when the CUDA kernels are compiled in (for a GPU or the emulated device), 0 for the stub. Never
 * fails, never touches CUDA. */
HORKD_API int horkd_built_with_cuda(void);

/* 1 when the kernels run on the emulated device (the CPU), 0 otherwise. Never fails. */
HORKD_API int horkd_emulated(void);

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

/* CUDA runtime version the library was built with (e.g. 13000; the API level the emulated device follows
 * there), or 0 for the stub. */
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

/* ---------------------------------------------------------------------------------------------------
 * Losses (cuda/src/api.cu). Every loss exists twice with the same parameters:
 *   horkd_X(...)       pointers marked d_ are device memory (ND4J's CUDA buffers, PyTorch's data_ptr()):
 *                      no copies; kernels run on `stream` (NULL: the legacy default stream);
 *   horkd_X_host(...)  the same pointers are host memory: copied through the workspace's device
 *                      buffers and pinned staging, which are kept and reused from call to call.
 * Both return when the values are in `values` (host memory, [batch] doubles): they synchronise the stream.
 * Gradients are added: d_grad += coef[b] * dL_b/dx for each problem b (coef: host, [batch]).
 * A NULL gradient pointer skips that gradient; a NULL coef means 1 for every problem.
 * Inputs are row-major and contiguous: features [batch, m, d], labels [batch, m] int32.
 * ------------------------------------------------------------------------------------------------- */

/* Device buffers, pinned staging and a stream, created once and reused by every call on it.
 * Not thread-safe: use one workspace per thread. Created on the current device. */
typedef struct horkd_workspace horkd_workspace;
HORKD_API int horkd_workspace_create(horkd_workspace** ws);
HORKD_API int horkd_workspace_destroy(horkd_workspace* ws);
/* Bytes the workspace holds now (device scratch and I/O buffers; pinned host staging). */
HORKD_API int horkd_workspace_bytes(horkd_workspace* ws, long long* device_bytes, long long* pinned_bytes);

#define HORKD_DISTANCE_OFF 0
#define HORKD_DISTANCE_SQUARE 1 /* the paper's square difference */
#define HORKD_DISTANCE_HUBER 2  /* RKD's smooth-L1 */
#define HORKD_REDUCTION_PAPER 0 /* mean over tuples of distinct samples */
#define HORKD_REDUCTION_RKD 1   /* sums over m^2 (L2) and m^3 (L3) entries */

/* L2 (distance != OFF) and L3 (angle = 1) of each problem, sharing the Gram matrices; values of a term
 * that is off are not written. m < 2 (L2) and m < 3 (L3) give 0 and no gradient. distance is a
 * HORKD_DISTANCE_*, angle 0 or 1, both reductions a HORKD_REDUCTION_* (checked even for a term that is off). */
HORKD_API int horkd_relational(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m,
                               int ds, int dt, int distance, int distance_reduction, int angle, int angle_reduction,
                               const double* coef_distance, const double* coef_angle, double* values_distance,
                               double* values_angle, float* d_grad_student, horkd_stream stream);
HORKD_API int horkd_relational_host(horkd_workspace* ws, const float* student, const float* teacher, int batch,
                                    int m, int ds, int dt, int distance, int distance_reduction, int angle,
                                    int angle_reduction, const double* coef_distance, const double* coef_angle,
                                    double* values_distance, double* values_angle, float* grad_student);

/* LC. d_labels [batch, m] with classes in 0..classes-1 (batch scope when d_centers is NULL; may be NULL
 * with dataset centres d_centers [classes, dt]). Any positive class count: batch scope needs memory for
 * min(classes, m) centres, dataset scope for m x classes distances. d_projection [dt, ds], or NULL for the
 * identity (ds == dt, and then d_grad_projection must be NULL); d_grad_projection [dt, ds] receives the
 * sum over problems. */
HORKD_API int horkd_center(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m,
                           int ds, int dt, const int* d_labels, int classes, const float* d_centers,
                           const float* d_projection, const double* coef, double* values, float* d_grad_student,
                           float* d_grad_projection, horkd_stream stream);
HORKD_API int horkd_center_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m,
                                int ds, int dt, const int* labels, int classes, const float* centers,
                                const float* projection, const double* coef, double* values, float* grad_student,
                                float* grad_projection);

/* L1: mse = 0 for the mean absolute error, 1 for the mean squared error. Projection as for LC. */
HORKD_API int horkd_pointwise(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m,
                              int ds, int dt, int mse, const float* d_projection, const double* coef, double* values,
                              float* d_grad_student, float* d_grad_projection, horkd_stream stream);
HORKD_API int horkd_pointwise_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m,
                                   int ds, int dt, int mse, const float* projection, const double* coef,
                                   double* values, float* grad_student, float* grad_projection);

/* Resolution-aware distillation's MMD^2 (METHODS.md): the biased multi-kernel Gaussian MMD^2 between the
 * student's features in the teacher's space (d_projection [dt, ds], or NULL for the identity with ds == dt)
 * and the teacher's, five kernels at 1/4 .. 4 times the pooled points' mean squared distance, which the
 * gradient holds constant. All points equal: 0, no gradient. Projection gradient as for LC. */
HORKD_API int horkd_mmd(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m, int ds,
                        int dt, const float* d_projection, const double* coef, double* values, float* d_grad_student,
                        float* d_grad_projection, horkd_stream stream);
HORKD_API int horkd_mmd_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m, int ds,
                             int dt, const float* projection, const double* coef, double* values, float* grad_student,
                             float* grad_projection);

/* Resolution-aware distillation's pair-wise constraint: mean over i != j of (cos(g_i, g_j) - cos(f_i, f_j))^2;
 * the widths may differ (no projection); m < 2 gives 0 and no gradient. */
HORKD_API int horkd_pairwise_constraint(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch,
                                        int m, int ds, int dt, const double* coef, double* values,
                                        float* d_grad_student, horkd_stream stream);
HORKD_API int horkd_pairwise_constraint_host(horkd_workspace* ws, const float* student, const float* teacher,
                                             int batch, int m, int ds, int dt, const double* coef, double* values,
                                             float* grad_student);

/* Hinton KD on logits [batch, m, classes], temperature finite and > 0. */
HORKD_API int horkd_hinton(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m,
                           int classes, double temperature, const double* coef, double* values, float* d_grad_student,
                           horkd_stream stream);
HORKD_API int horkd_hinton_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m,
                                int classes, double temperature, const double* coef, double* values,
                                float* grad_student);

/* Dataset-level class centres, batch after batch: d_sums [classes, d] += per-class sums of the rows of
 * d_teacher [n, d]; d_counts [classes] += their counts. Any positive class count; deterministic (each
 * sum in sample order). n is meant to be a batch: grouping the rows by label takes O(n^2) comparisons
 * (n threads), so call it per batch, not once for a whole dataset. Returns when done. */
HORKD_API int horkd_center_accumulate(horkd_workspace* ws, const float* d_teacher, const int* d_labels, int n, int d,
                                      int classes, double* d_sums, long long* d_counts, horkd_stream stream);

/* Thin allocation and copy helpers so bindings need no CUDA runtime of their own. */
HORKD_API int horkd_malloc(void** d_ptr, long long bytes);
HORKD_API int horkd_free(void* d_ptr);
HORKD_API int horkd_memcpy_h2d(void* d_dst, const void* src, long long bytes, horkd_stream stream);
HORKD_API int horkd_memcpy_d2h(void* dst, const void* d_src, long long bytes, horkd_stream stream);

#ifdef __cplusplus
}
#endif

#endif /* HORKD_HORKD_H */
