/*
 * The C API without CUDA: built where nvcc is absent, so the Java jar still loads its native library
 * and reports "no CUDA" instead of failing to link. Keep it in step with horkd.h: every device
 * function of the API is here and returns HORKD_ERROR_NO_CUDA.
 */
#include "horkd/horkd.h"
#include "internal.h"

#define NO_CUDA() horkd_fail(HORKD_ERROR_NO_CUDA, "libhorkd_cuda was built without CUDA (nvcc was not found)")

int horkd_built_with_cuda(void) { return 0; }
int horkd_emulated(void) { return 0; }
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

/* The losses: parameters are not named, none is read. */
int horkd_workspace_create(horkd_workspace** ws) {
    if (ws) *ws = 0;
    return NO_CUDA();
}
int horkd_workspace_destroy(horkd_workspace* ws) { (void)ws; return NO_CUDA(); }
int horkd_workspace_bytes(horkd_workspace* ws, long long* d, long long* p) {
    (void)ws; (void)d; (void)p;
    return NO_CUDA();
}
int horkd_relational(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, int dist,
                     int dred, int angle, int ared, const double* cd, const double* ca, double* vd, double* va,
                     float* g, horkd_stream st) {
    (void)ws; (void)s; (void)t; (void)b; (void)m; (void)ds; (void)dt; (void)dist; (void)dred; (void)angle;
    (void)ared; (void)cd; (void)ca; (void)vd; (void)va; (void)g; (void)st;
    return NO_CUDA();
}
int horkd_relational_host(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, int dist,
                          int dred, int angle, int ared, const double* cd, const double* ca, double* vd, double* va,
                          float* g) {
    return horkd_relational(ws, s, t, b, m, ds, dt, dist, dred, angle, ared, cd, ca, vd, va, g, 0);
}
int horkd_center(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, const int* l,
                 int classes, const float* u, const float* p, const double* c, double* v, float* gs, float* gp,
                 horkd_stream st) {
    (void)ws; (void)s; (void)t; (void)b; (void)m; (void)ds; (void)dt; (void)l; (void)classes; (void)u; (void)p;
    (void)c; (void)v; (void)gs; (void)gp; (void)st;
    return NO_CUDA();
}
int horkd_center_host(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, const int* l,
                      int classes, const float* u, const float* p, const double* c, double* v, float* gs, float* gp) {
    return horkd_center(ws, s, t, b, m, ds, dt, l, classes, u, p, c, v, gs, gp, 0);
}
int horkd_mmd(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, const float* p,
              const double* c, double* v, float* gs, float* gp, horkd_stream st) {
    (void)ws; (void)s; (void)t; (void)b; (void)m; (void)ds; (void)dt; (void)p; (void)c; (void)v; (void)gs; (void)gp;
    (void)st;
    return NO_CUDA();
}
int horkd_mmd_host(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, const float* p,
                   const double* c, double* v, float* gs, float* gp) {
    return horkd_mmd(ws, s, t, b, m, ds, dt, p, c, v, gs, gp, 0);
}
int horkd_pairwise_constraint(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt,
                              const double* c, double* v, float* gs, horkd_stream st) {
    (void)ws; (void)s; (void)t; (void)b; (void)m; (void)ds; (void)dt; (void)c; (void)v; (void)gs; (void)st;
    return NO_CUDA();
}
int horkd_pairwise_constraint_host(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt,
                                   const double* c, double* v, float* gs) {
    return horkd_pairwise_constraint(ws, s, t, b, m, ds, dt, c, v, gs, 0);
}
int horkd_pointwise(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, int mse,
                    const float* p, const double* c, double* v, float* gs, float* gp, horkd_stream st) {
    (void)ws; (void)s; (void)t; (void)b; (void)m; (void)ds; (void)dt; (void)mse; (void)p; (void)c; (void)v;
    (void)gs; (void)gp; (void)st;
    return NO_CUDA();
}
int horkd_pointwise_host(horkd_workspace* ws, const float* s, const float* t, int b, int m, int ds, int dt, int mse,
                         const float* p, const double* c, double* v, float* gs, float* gp) {
    return horkd_pointwise(ws, s, t, b, m, ds, dt, mse, p, c, v, gs, gp, 0);
}
int horkd_hinton(horkd_workspace* ws, const float* s, const float* t, int b, int m, int classes, double temperature,
                 const double* c, double* v, float* g, horkd_stream st) {
    (void)ws; (void)s; (void)t; (void)b; (void)m; (void)classes; (void)temperature; (void)c; (void)v; (void)g;
    (void)st;
    return NO_CUDA();
}
int horkd_hinton_host(horkd_workspace* ws, const float* s, const float* t, int b, int m, int classes,
                      double temperature, const double* c, double* v, float* g) {
    return horkd_hinton(ws, s, t, b, m, classes, temperature, c, v, g, 0);
}
int horkd_center_accumulate(horkd_workspace* ws, const float* t, const int* l, int n, int d, int classes,
                            double* sums, long long* counts, horkd_stream st) {
    (void)ws; (void)t; (void)l; (void)n; (void)d; (void)classes; (void)sums; (void)counts; (void)st;
    return NO_CUDA();
}
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
