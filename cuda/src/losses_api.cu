// The loss entry points of horkd.h: argument checks, the per-problem sequence of kernels, and the host
// variants that stage through the workspace. Kernels live in their own files behind horkd/kernels/.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cuda_check.cuh"
#include "horkd/horkd.h"
#include "horkd/kernels/angle.cuh"
#include "horkd/kernels/center.cuh"
#include "horkd/kernels/centering.cuh"
#include "horkd/kernels/common.cuh"
#include "horkd/kernels/gemm.cuh"
#include "horkd/kernels/pairwise.cuh"
#include "horkd/kernels/pointwise.cuh"
#include "horkd/kernels/rakd.cuh"
#include "workspace.cuh"
#include "launch.cuh"

using horkd::Carver;

namespace {

#define HORKD_TRY(expr)                      \
    do {                                     \
        int horkd_st_ = (expr);              \
        if (horkd_st_ != HORKD_SUCCESS) return horkd_st_; \
    } while (0)

int invalid(const char* fmt, const char* fn, long long a = 0, long long b = 0, long long c = 0) {
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a, b, c);
    return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: %s", fn, msg);
}

int check_sizes(const char* fn, int batch, int m, int ds, int dt) {
    if (batch <= 0 || m <= 0 || ds <= 0 || dt <= 0) {
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: batch, m and the widths must be positive, got batch=%d m=%d ds=%d dt=%d",
                          fn, batch, m, ds, dt);
    }
    return HORKD_SUCCESS;
}

int check_kd_sizes(const char* fn, int batch, int m, int classes) {
    if (batch > 0 && m > 0 && classes > 0) return HORKD_SUCCESS;
    return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: batch, m and classes must be positive, got batch=%d m=%d classes=%d",
                      fn, batch, m, classes);
}

int check_flag(const char* fn, const char* name, int value) {
    if (value == 0 || value == 1) return HORKD_SUCCESS;
    return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: %s=%d must be 0 or 1", fn, name, value);
}

int check_reduction(const char* fn, const char* name, int value) {
    if (value == HORKD_REDUCTION_PAPER || value == HORKD_REDUCTION_RKD) return HORKD_SUCCESS;
    return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: %s=%d is not a HORKD_REDUCTION_* (0 or 1)", fn, name, value);
}

int need(const char* fn, const void* p, const char* name) {
    return p ? HORKD_SUCCESS : horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: %s must not be NULL", fn, name);
}

// horkd.h's stream rule: a horkd_stream is a cudaStream_t, NULL the legacy default stream, in every
// function. The workspace's own stream serves only the host entry points, which wait for it anyway.
cudaStream_t stream_of(horkd_stream s) { return static_cast<cudaStream_t>(s); }

double coef_at(const double* coef, int b) { return coef ? coef[b] : 1.0; }

// Runs `layout(carver)` on a null base to size the scratch, grows the buffer, then lays it out for real.
// On the emulated device the scratch is refilled with NaN bytes first, so a piece read before it is
// written shows up as NaN, not as the previous call's values.
template <typename Layout>
int carve(horkd_workspace* ws, cudaStream_t st, Layout layout) {
    Carver measure(nullptr);
    layout(measure);
    HORKD_CUDA_TRY(ws->scratch.ensure(measure.used()));
    ws->scratch.unguard();
#if defined(HORKD_EMULATED)
    HORKD_CUDA_TRY(cudaMemsetAsync(ws->scratch.ptr, 0xFF, ws->scratch.bytes, st));
    HORKD_CUDA_TRY(cudaStreamSynchronize(st));  // before the guards are poisoned
#else
    (void)st;
#endif
    Carver real(ws->scratch.ptr);
    layout(real);
    return HORKD_SUCCESS;
}

// Copies `batch` device doubles to the caller's host array through pinned memory, and waits.
int values_to_host(horkd_workspace* ws, const double* d_values, int batch, double* out, cudaStream_t stream) {
    HORKD_CUDA_TRY(ws->results.ensure(sizeof(double) * batch));
    HORKD_CUDA_TRY(cudaMemcpyAsync(ws->results.ptr, d_values, sizeof(double) * batch, cudaMemcpyDeviceToHost, stream));
    HORKD_CUDA_TRY(cudaStreamSynchronize(stream));
    std::memcpy(out, ws->results.ptr, sizeof(double) * batch);
    return HORKD_SUCCESS;
}

// Labels must lie in 0..classes-1: checked on the device before any kernel indexes with them.
__global__ void check_labels_kernel(const int* labels, long long n, int classes, long long* bad) {
    long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n && (labels[i] < 0 || labels[i] >= classes)) atomicMin(reinterpret_cast<unsigned long long*>(bad), i);
}

int check_labels(horkd_workspace* ws, const char* fn, const int* d_labels, long long n, int classes, cudaStream_t stream) {
    HORKD_CUDA_TRY(ws->flags.ensure(sizeof(long long)));
    long long* d_bad = static_cast<long long*>(ws->flags.ptr);
    const long long none = n;
    HORKD_CUDA_TRY(cudaMemcpyAsync(d_bad, &none, sizeof none, cudaMemcpyHostToDevice, stream));
    HORKD_LAUNCH(check_labels_kernel, horkd::blocks_for(n, 256), 256, 0, stream)(d_labels, n, classes, d_bad);
    HORKD_CUDA_TRY(cudaGetLastError());
    long long bad = n;
    HORKD_CUDA_TRY(cudaMemcpyAsync(&bad, d_bad, sizeof bad, cudaMemcpyDeviceToHost, stream));
    HORKD_CUDA_TRY(cudaStreamSynchronize(stream));
    if (bad < n) {
        int value = 0;
        HORKD_CUDA_TRY(cudaMemcpyAsync(&value, d_labels + bad, sizeof value, cudaMemcpyDeviceToHost, stream));
        HORKD_CUDA_TRY(cudaStreamSynchronize(stream));
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: label %d at flat index %lld is outside 0..%d", fn, value, bad,
                          classes - 1);
    }
    return HORKD_SUCCESS;
}

// ------------------------------------------------------------------------------------------------ L2 + L3

int relational(horkd_workspace* ws, const float* s, const float* t, int batch, int m, int ds, int dt, int distance,
               int distance_reduction, int angle, int angle_reduction, const double* coef_distance,
               const double* coef_angle, double* values_distance, double* values_angle, float* grad, cudaStream_t st) {
    const char* fn = "horkd_relational";
    HORKD_TRY(check_sizes(fn, batch, m, ds, dt));
    HORKD_TRY(need(fn, s, "d_student"));
    HORKD_TRY(need(fn, t, "d_teacher"));
    if (distance < HORKD_DISTANCE_OFF || distance > HORKD_DISTANCE_HUBER) {
        return invalid("distance=%lld is not a HORKD_DISTANCE_* (0, 1 or 2)", fn, distance);
    }
    HORKD_TRY(check_reduction(fn, "distance_reduction", distance_reduction));
    HORKD_TRY(check_flag(fn, "angle", angle));
    HORKD_TRY(check_reduction(fn, "angle_reduction", angle_reduction));
    const bool l2 = distance != HORKD_DISTANCE_OFF;
    const bool l3 = angle != 0;
    if (l2) HORKD_TRY(need(fn, values_distance, "values_distance"));
    if (l3) HORKD_TRY(need(fn, values_angle, "values_angle"));
    const bool l2_live = l2 && m >= 2;  // smaller problems: 0, no gradient (LOSSES.md)
    const bool l3_live = l3 && m >= 3;
    const bool want_grad = grad != nullptr && (l2_live || l3_live);
    const long long mm = static_cast<long long>(m) * m;
    double *cs, *ct, *gs, *gt, *k, *out, *vals, *work;
    HORKD_TRY(carve(ws, st, [&](Carver& c) {
        cs = c.take<double>(static_cast<long long>(m) * ds);
        ct = c.take<double>(static_cast<long long>(m) * dt);
        gs = c.take<double>(mm);
        gt = c.take<double>(mm);
        k = c.take<double>(want_grad ? mm : 0);
        out = c.take<double>(want_grad ? static_cast<long long>(m) * ds : 0);
        vals = c.take<double>(2LL * batch);
        long long w = 0;
        if (l2_live) w = horkd::pairwise_scratch_doubles(m);
        if (l3_live) w = w > horkd::angle_scratch_doubles(m) ? w : horkd::angle_scratch_doubles(m);
        work = c.take<double>(w);
    }));
    HORKD_CUDA_TRY(cudaMemsetAsync(vals, 0, sizeof(double) * 2 * batch, st));
    const double div2 = distance_reduction == HORKD_REDUCTION_RKD ? static_cast<double>(m) * m : static_cast<double>(m) * (m - 1);
    const double div3 = angle_reduction == HORKD_REDUCTION_RKD ? static_cast<double>(m) * m * m
                                                               : static_cast<double>(m) * (m - 1) * (m - 2);
    for (int b = 0; b < batch && (l2_live || l3_live); ++b) {
        const float* sb = s + static_cast<long long>(b) * m * ds;
        const float* tb = t + static_cast<long long>(b) * m * dt;
        HORKD_CUDA_TRY(horkd::center_rows_double(sb, cs, 1, m, ds, st));
        HORKD_CUDA_TRY(horkd::center_rows_double(tb, ct, 1, m, dt, st));
        HORKD_CUDA_TRY(horkd::gemm(false, true, m, m, ds, 1.0, cs, ds, cs, ds, gs, m, false, st));
        HORKD_CUDA_TRY(horkd::gemm(false, true, m, m, dt, 1.0, ct, dt, ct, dt, gt, m, false, st));
        if (want_grad) HORKD_CUDA_TRY(cudaMemsetAsync(k, 0, sizeof(double) * mm, st));
        if (l2_live) {
            HORKD_CUDA_TRY(horkd::distance_loss(gs, gt, m, static_cast<horkd::Penalty>(distance), div2,
                                                coef_at(coef_distance, b), want_grad ? k : nullptr, vals + 2 * b, work, st));
        }
        if (l3_live) {
            HORKD_CUDA_TRY(horkd::angle_loss(gs, gt, m, div3, coef_at(coef_angle, b), want_grad ? k : nullptr,
                                             vals + 2 * b + 1, work, st));
        }
        if (want_grad) {
            HORKD_CUDA_TRY(horkd::laplacian_times(k, cs, m, ds, out, st));
            HORKD_CUDA_TRY(horkd::add_scaled_to_float(out, 1.0, grad + static_cast<long long>(b) * m * ds,
                                                      static_cast<long long>(m) * ds, st));
        }
    }
    std::vector<double> both(2 * batch);
    HORKD_TRY(values_to_host(ws, vals, 2 * batch, both.data(), st));
    for (int b = 0; b < batch; ++b) {
        if (l2) values_distance[b] = both[2 * b];
        if (l3) values_angle[b] = both[2 * b + 1];
    }
    horkd_clear_error();
    return HORKD_SUCCESS;
}

// ------------------------------------------------------------------------------------------------ LC and L1

// What LC and L1 share: x = g P^T (or g) per problem, the backward products, dP summed over problems.
struct Projected {
    const double* p = nullptr;  // [dt x ds] double, or null for the identity
    int ds = 0, dt = 0;

    int forward(const double* g, int m, double* x, cudaStream_t st) const {
        HORKD_CUDA_TRY(horkd::gemm(false, true, m, dt, ds, 1.0, g, ds, p, ds, x, dt, false, st));
        return HORKD_SUCCESS;
    }
    int backward(const double* dx, int m, double* dg, cudaStream_t st) const {
        HORKD_CUDA_TRY(horkd::gemm(false, false, m, ds, dt, 1.0, dx, dt, p, ds, dg, ds, false, st));
        return HORKD_SUCCESS;
    }
    int weight_gradient(const double* dx, const double* g, int m, double coef, double* dp, cudaStream_t st) const {
        HORKD_CUDA_TRY(horkd::gemm(true, false, dt, ds, m, coef, dx, dt, g, ds, dp, ds, true, st));
        return HORKD_SUCCESS;
    }
};

enum class FeatureLoss { kCenter, kPointwiseMae, kPointwiseMse, kMmd, kCosine };

int feature_loss(horkd_workspace* ws, const char* fn, FeatureLoss kind, const float* s, const float* t, int batch,
                 int m, int ds, int dt, const int* labels, int classes, const float* centers, const float* projection,
                 const double* coef, double* values, float* grad_s, float* grad_p, cudaStream_t st) {
    HORKD_TRY(check_sizes(fn, batch, m, ds, dt));
    HORKD_TRY(need(fn, s, "d_student"));
    HORKD_TRY(need(fn, t, "d_teacher"));
    HORKD_TRY(need(fn, values, "values"));
    const bool cosine = kind == FeatureLoss::kCosine;  // compares m x m matrices: any widths, no projection
    if (cosine && projection != nullptr) return invalid("takes no projection (the widths may differ)", fn);
    if (!cosine && projection == nullptr && ds != dt) {
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: student width %d != teacher width %d needs a projection [%d, %d]",
                          fn, ds, dt, dt, ds);
    }
    if (grad_p != nullptr && projection == nullptr) return invalid("d_grad_projection without d_projection", fn);
    const bool lc = kind == FeatureLoss::kCenter;
    const bool batch_scope = lc && centers == nullptr;
    if (lc) {
        if (classes <= 0) return invalid("classes=%lld must be positive", fn, classes);
        if (batch_scope) HORKD_TRY(need(fn, labels, "d_labels (batch-scope centres)"));
        if (labels) HORKD_TRY(check_labels(ws, fn, labels, static_cast<long long>(batch) * m, classes, st));
    }
    const bool want = grad_s != nullptr || grad_p != nullptr;
    const bool dataset_scope = lc && !batch_scope;
    // Batch scope: at most one centre per sample, whatever the class count.
    const int capacity = !lc ? 0 : batch_scope ? (classes < m ? classes : m) : classes;
    const long long mds = static_cast<long long>(m) * ds;
    const long long mdt = static_cast<long long>(m) * dt;
    double *pd, *ud, *ub, *g, *f, *x, *dx, *dg, *dp, *vals, *work;
    int* groups;
    HORKD_TRY(carve(ws, st, [&](Carver& c) {
        pd = c.take<double>(projection ? static_cast<long long>(dt) * ds : 0);
        ud = c.take<double>(dataset_scope ? static_cast<long long>(classes) * dt : 0);
        ub = c.take<double>(batch_scope ? static_cast<long long>(capacity) * dt : 0);
        g = c.take<double>(mds);
        f = c.take<double>(mdt);
        x = c.take<double>(projection ? mdt : 0);
        dx = c.take<double>(want ? (cosine ? mds : mdt) : 0);
        dg = c.take<double>(want && projection ? mds : 0);
        dp = c.take<double>(grad_p ? static_cast<long long>(dt) * ds : 0);
        vals = c.take<double>(batch);
        groups = c.take<int>(batch_scope ? horkd::group_scratch_ints(m) : 0);
        work = c.take<double>(lc                          ? horkd::center_scratch_doubles(m, dt, capacity)
                              : kind == FeatureLoss::kMmd ? horkd::mmd_scratch_doubles(m, dt)
                              : cosine                    ? horkd::cosine_scratch_doubles(m, ds, dt)
                                                          : m);
    }));
    Projected proj;
    proj.ds = ds;
    proj.dt = dt;
    if (projection) {
        HORKD_CUDA_TRY(horkd::widen(projection, pd, static_cast<long long>(dt) * ds, st));
        proj.p = pd;
    }
    if (dataset_scope) HORKD_CUDA_TRY(horkd::widen(centers, ud, static_cast<long long>(classes) * dt, st));
    if (grad_p) HORKD_CUDA_TRY(cudaMemsetAsync(dp, 0, sizeof(double) * dt * ds, st));
    for (int b = 0; b < batch; ++b) {
        HORKD_CUDA_TRY(horkd::widen(s + b * mds, g, mds, st));
        HORKD_CUDA_TRY(horkd::widen(t + b * mdt, f, mdt, st));
        const double* xb = g;
        if (projection) {
            HORKD_TRY(proj.forward(g, m, x, st));
            xb = x;
        }
        if (lc) {
            const double* u = ud;
            const int* present = nullptr;  // dataset scope: all `classes` centres
            if (batch_scope) {
                HORKD_CUDA_TRY(horkd::batch_centers(f, labels + static_cast<long long>(b) * m, m, dt, capacity, ub, groups, st));
                u = ub;
                present = groups + 2 * m + 1;  // the group count (see group_by_label)
            }
            HORKD_CUDA_TRY(horkd::center_loss(xb, f, u, capacity, present, m, dt, want ? dx : nullptr, vals + b, work, st));
        } else if (kind == FeatureLoss::kMmd) {
            HORKD_CUDA_TRY(horkd::mmd_loss(xb, f, m, dt, want ? dx : nullptr, vals + b, work, st));
        } else if (cosine) {
            HORKD_CUDA_TRY(horkd::cosine_constraint(g, f, m, ds, dt, want ? dx : nullptr, vals + b, work, st));
        } else {
            HORKD_CUDA_TRY(horkd::pointwise_loss(xb, f, m, dt, kind == FeatureLoss::kPointwiseMse, want ? dx : nullptr,
                                                 vals + b, work, st));
        }
        if (!want) continue;
        const double cb = coef_at(coef, b);
        if (grad_s) {
            const double* dgb = dx;
            if (projection) {
                HORKD_TRY(proj.backward(dx, m, dg, st));
                dgb = dg;
            }
            HORKD_CUDA_TRY(horkd::add_scaled_to_float(dgb, cb, grad_s + b * mds, mds, st));
        }
        if (grad_p) HORKD_TRY(proj.weight_gradient(dx, g, m, cb, dp, st));
    }
    if (grad_p) HORKD_CUDA_TRY(horkd::add_scaled_to_float(dp, 1.0, grad_p, static_cast<long long>(dt) * ds, st));
    HORKD_TRY(values_to_host(ws, vals, batch, values, st));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int hinton(horkd_workspace* ws, const float* s, const float* t, int batch, int m, int classes, double temperature,
           const double* coef, double* values, float* grad, cudaStream_t st) {
    const char* fn = "horkd_hinton";
    HORKD_TRY(check_kd_sizes(fn, batch, m, classes));
    HORKD_TRY(need(fn, s, "d_student"));
    HORKD_TRY(need(fn, t, "d_teacher"));
    HORKD_TRY(need(fn, values, "values"));
    if (!(temperature > 0.0) || !std::isfinite(temperature)) {
        return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: temperature must be finite and > 0, got %g", fn, temperature);
    }
    const long long mc = static_cast<long long>(m) * classes;
    double *dsb, *vals, *work;
    HORKD_TRY(carve(ws, st, [&](Carver& c) {
        dsb = c.take<double>(grad ? mc : 0);
        vals = c.take<double>(batch);
        work = c.take<double>(m);
    }));
    for (int b = 0; b < batch; ++b) {
        HORKD_CUDA_TRY(horkd::hinton_loss(s + b * mc, t + b * mc, m, classes, temperature, grad ? dsb : nullptr, vals + b,
                                          work, st));
        if (grad) HORKD_CUDA_TRY(horkd::add_scaled_to_float(dsb, coef_at(coef, b), grad + b * mc, mc, st));
    }
    HORKD_TRY(values_to_host(ws, vals, batch, values, st));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

// ------------------------------------------------------------------------------------------------ host staging

// Host arguments of one call: each input copied to the device through pinned memory, each gradient
// zeroed on the device, computed, copied back and added to the caller's array.
class Staging {
  public:
    struct Arg {
        const void* host_in = nullptr;  // input to upload, or null
        void* host_out = nullptr;       // float gradient to add to, or null
        size_t bytes = 0;
        void* device = nullptr;
        void* pinned = nullptr;
    };

    explicit Staging(horkd_workspace* ws) : ws_(ws) {}

    // Argument i is the i-th call of input()/output(); a null host pointer makes an empty argument.
    void input(const void* host, size_t bytes) { add(host, nullptr, bytes); }
    void output(void* host, size_t bytes) { add(nullptr, host, bytes); }

    // Allocates (grow-only), uploads the inputs and zeroes the outputs on `st`.
    int upload(cudaStream_t st) {
        Carver dm(nullptr), pm(nullptr);
        for (auto& a : args_) {
            if (a.bytes == 0) continue;
            dm.take<char>(a.bytes);
            pm.take<char>(a.bytes);
        }
        HORKD_CUDA_TRY(ws_->io.ensure(dm.used()));
        HORKD_CUDA_TRY(ws_->staging.ensure(pm.used()));
        ws_->io.unguard();
        ws_->staging.unguard();
        Carver d(ws_->io.ptr), p(ws_->staging.ptr);
        for (auto& a : args_) {
            if (a.bytes == 0) continue;
            a.device = d.take<char>(a.bytes);
            a.pinned = p.take<char>(a.bytes);
            if (a.host_in) {
                std::memcpy(a.pinned, a.host_in, a.bytes);
                HORKD_CUDA_TRY(cudaMemcpyAsync(a.device, a.pinned, a.bytes, cudaMemcpyHostToDevice, st));
            } else {
                HORKD_CUDA_TRY(cudaMemsetAsync(a.device, 0, a.bytes, st));
            }
        }
        return HORKD_SUCCESS;
    }

    // Copies the gradients back and adds them to the caller's arrays.
    int download(cudaStream_t st) {
        for (auto& a : args_) {
            if (a.host_out && a.bytes) HORKD_CUDA_TRY(cudaMemcpyAsync(a.pinned, a.device, a.bytes, cudaMemcpyDeviceToHost, st));
        }
        HORKD_CUDA_TRY(cudaStreamSynchronize(st));
        for (auto& a : args_) {
            if (!a.host_out || !a.bytes) continue;
            float* dst = static_cast<float*>(a.host_out);
            const float* src = static_cast<const float*>(a.pinned);
            for (size_t i = 0; i < a.bytes / sizeof(float); ++i) dst[i] += src[i];
        }
        return HORKD_SUCCESS;
    }

    template <typename T>
    T* device(size_t index) const {
        return static_cast<T*>(args_[index].device);
    }

  private:
    void add(const void* in, void* out, size_t bytes) {
        args_.push_back(Arg{in, out, in == nullptr && out == nullptr ? 0 : bytes});
    }

    horkd_workspace* ws_;
    std::vector<Arg> args_;
};

// The checks every host entry point starts with.
int host_arguments(const char* fn, horkd_workspace* ws, int batch, int m, int ds, int dt, const float* student,
                   const float* teacher) {
    HORKD_TRY(need(fn, ws, "ws"));
    HORKD_TRY(check_sizes(fn, batch, m, ds, dt));
    HORKD_TRY(need(fn, student, "student"));
    return need(fn, teacher, "teacher");
}

}  // namespace

extern "C" {

int horkd_workspace_create(horkd_workspace** ws) {
    if (ws == nullptr) return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_workspace_create: ws is NULL");
    *ws = nullptr;
    int count = 0;
    HORKD_TRY(horkd_device_count(&count));
    horkd_workspace* w = new horkd_workspace();
    cudaError_t err = cudaStreamCreateWithFlags(&w->own_stream, cudaStreamNonBlocking);
    if (err != cudaSuccess) {
        delete w;
        return horkd::fail_cuda(err, "cudaStreamCreateWithFlags");
    }
    *ws = w;
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_workspace_destroy(horkd_workspace* ws) {
    if (ws == nullptr) return HORKD_SUCCESS;
    cudaStreamSynchronize(ws->own_stream);
    ws->scratch.release();
    ws->io.release();
    ws->staging.release();
    ws->results.release();
    ws->flags.release();
    cudaStreamDestroy(ws->own_stream);
    delete ws;
    horkd_clear_error();
    return HORKD_SUCCESS;
}

int horkd_workspace_bytes(horkd_workspace* ws, long long* device_bytes, long long* pinned_bytes) {
    if (ws == nullptr) return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "horkd_workspace_bytes: ws is NULL");
    if (device_bytes) *device_bytes = static_cast<long long>(ws->scratch.bytes + ws->io.bytes);
    if (pinned_bytes) *pinned_bytes = static_cast<long long>(ws->staging.bytes + ws->results.bytes);
    return HORKD_SUCCESS;
}

int horkd_relational(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m, int ds,
                     int dt, int distance, int distance_reduction, int angle, int angle_reduction,
                     const double* coef_distance, const double* coef_angle, double* values_distance,
                     double* values_angle, float* d_grad_student, horkd_stream stream) {
    HORKD_TRY(need("horkd_relational", ws, "ws"));
    return relational(ws, d_student, d_teacher, batch, m, ds, dt, distance, distance_reduction, angle, angle_reduction,
                      coef_distance, coef_angle, values_distance, values_angle, d_grad_student, stream_of(stream));
}

int horkd_relational_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m, int ds,
                          int dt, int distance, int distance_reduction, int angle, int angle_reduction,
                          const double* coef_distance, const double* coef_angle, double* values_distance,
                          double* values_angle, float* grad_student) {
    const char* fn = "horkd_relational_host";
    HORKD_TRY(host_arguments(fn, ws, batch, m, ds, dt, student, teacher));
    cudaStream_t st = ws->own_stream;
    Staging io(ws);
    io.input(student, sizeof(float) * batch * m * ds);
    io.input(teacher, sizeof(float) * batch * m * dt);
    io.output(grad_student, sizeof(float) * batch * m * ds);
    HORKD_TRY(io.upload(st));
    HORKD_TRY(relational(ws, io.device<float>(0), io.device<float>(1), batch, m, ds, dt, distance, distance_reduction,
                         angle, angle_reduction, coef_distance, coef_angle, values_distance, values_angle,
                         grad_student ? io.device<float>(2) : nullptr, st));
    return io.download(st);
}

int horkd_center(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m, int ds, int dt,
                 const int* d_labels, int classes, const float* d_centers, const float* d_projection, const double* coef,
                 double* values, float* d_grad_student, float* d_grad_projection, horkd_stream stream) {
    HORKD_TRY(need("horkd_center", ws, "ws"));
    return feature_loss(ws, "horkd_center", FeatureLoss::kCenter, d_student, d_teacher, batch, m, ds, dt, d_labels,
                        classes, d_centers, d_projection, coef, values, d_grad_student, d_grad_projection,
                        stream_of(stream));
}

int horkd_center_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m, int ds, int dt,
                      const int* labels, int classes, const float* centers, const float* projection, const double* coef,
                      double* values, float* grad_student, float* grad_projection) {
    const char* fn = "horkd_center_host";
    HORKD_TRY(host_arguments(fn, ws, batch, m, ds, dt, student, teacher));
    if (classes <= 0) return invalid("classes=%lld must be positive", fn, classes);
    if (labels) {
        for (long long i = 0; i < static_cast<long long>(batch) * m; ++i) {
            if (labels[i] < 0 || labels[i] >= classes) {
                return horkd_fail(HORKD_ERROR_INVALID_ARGUMENT, "%s: label %d at flat index %lld is outside 0..%d", fn,
                                  labels[i], i, classes - 1);
            }
        }
    }
    cudaStream_t st = ws->own_stream;
    Staging io(ws);
    io.input(student, sizeof(float) * batch * m * ds);
    io.input(teacher, sizeof(float) * batch * m * dt);
    io.input(labels, labels ? sizeof(int) * batch * m : 0);
    io.input(centers, centers ? sizeof(float) * classes * dt : 0);
    io.input(projection, projection ? sizeof(float) * dt * ds : 0);
    io.output(grad_student, sizeof(float) * batch * m * ds);
    io.output(grad_projection, sizeof(float) * dt * ds);
    HORKD_TRY(io.upload(st));
    HORKD_TRY(feature_loss(ws, "horkd_center", FeatureLoss::kCenter, io.device<float>(0), io.device<float>(1), batch, m,
                           ds, dt, labels ? io.device<int>(2) : nullptr, classes, centers ? io.device<float>(3) : nullptr,
                           projection ? io.device<float>(4) : nullptr, coef, values,
                           grad_student ? io.device<float>(5) : nullptr, grad_projection ? io.device<float>(6) : nullptr, st));
    return io.download(st);
}

int horkd_pointwise(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m, int ds,
                    int dt, int mse, const float* d_projection, const double* coef, double* values, float* d_grad_student,
                    float* d_grad_projection, horkd_stream stream) {
    HORKD_TRY(need("horkd_pointwise", ws, "ws"));
    HORKD_TRY(check_flag("horkd_pointwise", "mse", mse));
    return feature_loss(ws, "horkd_pointwise", mse ? FeatureLoss::kPointwiseMse : FeatureLoss::kPointwiseMae, d_student,
                        d_teacher, batch, m, ds, dt, nullptr, 0, nullptr, d_projection, coef, values, d_grad_student,
                        d_grad_projection, stream_of(stream));
}

// A feature loss's host entry: inputs staged through the workspace, then the device entry on its stream.
// Arguments of the host call are named after host_fn, what the device entry checks after fn.
static int feature_loss_host(horkd_workspace* ws, const char* host_fn, const char* fn, FeatureLoss kind, const float* student,
                             const float* teacher, int batch, int m, int ds, int dt, const float* projection,
                             const double* coef, double* values, float* grad_student, float* grad_projection) {
    HORKD_TRY(host_arguments(host_fn, ws, batch, m, ds, dt, student, teacher));
    cudaStream_t st = ws->own_stream;
    Staging io(ws);
    io.input(student, sizeof(float) * batch * m * ds);
    io.input(teacher, sizeof(float) * batch * m * dt);
    io.input(projection, projection ? sizeof(float) * dt * ds : 0);
    io.output(grad_student, sizeof(float) * batch * m * ds);
    io.output(grad_projection, sizeof(float) * dt * ds);
    HORKD_TRY(io.upload(st));
    HORKD_TRY(feature_loss(ws, fn, kind, io.device<float>(0), io.device<float>(1), batch, m, ds, dt, nullptr, 0, nullptr,
                           projection ? io.device<float>(2) : nullptr, coef, values,
                           grad_student ? io.device<float>(3) : nullptr, grad_projection ? io.device<float>(4) : nullptr, st));
    return io.download(st);
}

int horkd_mmd(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m, int ds, int dt,
              const float* d_projection, const double* coef, double* values, float* d_grad_student,
              float* d_grad_projection, horkd_stream stream) {
    HORKD_TRY(need("horkd_mmd", ws, "ws"));
    return feature_loss(ws, "horkd_mmd", FeatureLoss::kMmd, d_student, d_teacher, batch, m, ds, dt, nullptr, 0, nullptr,
                        d_projection, coef, values, d_grad_student, d_grad_projection, stream_of(stream));
}

int horkd_mmd_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m, int ds, int dt,
                   const float* projection, const double* coef, double* values, float* grad_student,
                   float* grad_projection) {
    return feature_loss_host(ws, "horkd_mmd_host", "horkd_mmd", FeatureLoss::kMmd, student, teacher, batch, m, ds, dt, projection, coef,
                             values, grad_student, grad_projection);
}

int horkd_pairwise_constraint(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m,
                              int ds, int dt, const double* coef, double* values, float* d_grad_student,
                              horkd_stream stream) {
    HORKD_TRY(need("horkd_pairwise_constraint", ws, "ws"));
    return feature_loss(ws, "horkd_pairwise_constraint", FeatureLoss::kCosine, d_student, d_teacher, batch, m, ds, dt,
                        nullptr, 0, nullptr, nullptr, coef, values, d_grad_student, nullptr, stream_of(stream));
}

int horkd_pairwise_constraint_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m,
                                   int ds, int dt, const double* coef, double* values, float* grad_student) {
    return feature_loss_host(ws, "horkd_pairwise_constraint_host", "horkd_pairwise_constraint", FeatureLoss::kCosine, student, teacher, batch, m, ds,
                             dt, nullptr, coef, values, grad_student, nullptr);
}

int horkd_pointwise_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m, int ds,
                         int dt, int mse, const float* projection, const double* coef, double* values,
                         float* grad_student, float* grad_projection) {
    HORKD_TRY(host_arguments("horkd_pointwise_host", ws, batch, m, ds, dt, student, teacher));
    HORKD_TRY(check_flag("horkd_pointwise_host", "mse", mse));
    return feature_loss_host(ws, "horkd_pointwise_host", "horkd_pointwise", mse ? FeatureLoss::kPointwiseMse : FeatureLoss::kPointwiseMae, student,
                             teacher, batch, m, ds, dt, projection, coef, values, grad_student, grad_projection);
}

int horkd_hinton(horkd_workspace* ws, const float* d_student, const float* d_teacher, int batch, int m, int classes,
                 double temperature, const double* coef, double* values, float* d_grad_student, horkd_stream stream) {
    HORKD_TRY(need("horkd_hinton", ws, "ws"));
    return hinton(ws, d_student, d_teacher, batch, m, classes, temperature, coef, values, d_grad_student,
                  stream_of(stream));
}

int horkd_hinton_host(horkd_workspace* ws, const float* student, const float* teacher, int batch, int m, int classes,
                      double temperature, const double* coef, double* values, float* grad_student) {
    const char* fn = "horkd_hinton_host";
    HORKD_TRY(need(fn, ws, "ws"));
    HORKD_TRY(check_kd_sizes(fn, batch, m, classes));
    HORKD_TRY(need(fn, student, "student"));
    HORKD_TRY(need(fn, teacher, "teacher"));
    cudaStream_t st = ws->own_stream;
    Staging io(ws);
    io.input(student, sizeof(float) * batch * m * classes);
    io.input(teacher, sizeof(float) * batch * m * classes);
    io.output(grad_student, sizeof(float) * batch * m * classes);
    HORKD_TRY(io.upload(st));
    HORKD_TRY(hinton(ws, io.device<float>(0), io.device<float>(1), batch, m, classes, temperature, coef, values,
                     grad_student ? io.device<float>(2) : nullptr, st));
    return io.download(st);
}

int horkd_center_accumulate(horkd_workspace* ws, const float* d_teacher, const int* d_labels, int n, int d, int classes,
                            double* d_sums, long long* d_counts, horkd_stream stream) {
    const char* fn = "horkd_center_accumulate";
    HORKD_TRY(need(fn, ws, "ws"));
    HORKD_TRY(need(fn, d_teacher, "d_teacher"));
    HORKD_TRY(need(fn, d_labels, "d_labels"));
    HORKD_TRY(need(fn, d_sums, "d_sums"));
    HORKD_TRY(need(fn, d_counts, "d_counts"));
    if (n <= 0 || d <= 0 || classes <= 0) return invalid("n=%lld, d=%lld and classes=%lld must be positive", fn, n, d, classes);
    cudaStream_t st = stream_of(stream);
    HORKD_TRY(check_labels(ws, fn, d_labels, n, classes, st));
    int* groups;
    HORKD_TRY(carve(ws, st, [&](Carver& c) { groups = c.take<int>(horkd::group_scratch_ints(n)); }));
    HORKD_CUDA_TRY(horkd::center_accumulate(d_teacher, d_labels, n, d, d_sums, d_counts, groups, st));
    HORKD_CUDA_TRY(cudaStreamSynchronize(st));
    horkd_clear_error();
    return HORKD_SUCCESS;
}

}  // extern "C"
