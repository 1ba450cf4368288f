// Native tests of the CUDA library (run by ctest on a GPU, where exit 77 = skipped without a device, and
// on the emulated device of cuda/emu in every CI run).
//
// Every kernel against the float64 reference of reference.hpp on fresh random inputs: m from 1 to 4096
// (non-multiples of every tile size), widths 1 to 2048, 1 to 8 problems per call, per-column offsets up
// to 1000 and scales 1e-4 to 1e4, exact duplicate rows; the identity projection, dataset centres without
// labels, more than 65535 classes, KD over 1000 classes with a one-hot teacher; row centring and
// dataset-centre accumulation (exact sums); every bad argument of horkd.h (its named status, and nothing
// written); the stream rule (NULL is the legacy default stream, so inputs enqueued there are seen); both
// entry points (device pointers and host arrays) and bit-for-bit determinism run to run.
//
// The last line is a hash of every output bit ("output hash: ..."): on the emulator, runs in different
// thread orders must print the same one (cuda/emu/compare_orders.cmake).
//
// Tolerances (the GPU computes in float64 too, so only summation orders and the float32 rounding of
// the returned gradients differ):
//   values:    |gpu - ref| <= 1e-9 |ref| + 1e-14
//   gradients: max|gpu - ref| <= 2e-6 max|ref| + 1e-8 g0, g0 the scale of the summed terms (1/(m mu)
//              for L2, 4/(m(m-1)) max_p sum_j 1/D_pj for L3: it only matters where the exact gradient is
//              a cancellation, as for collinear points).
//
//   usage: horkd_test [--quick | --large]
//     --quick  small cases only (for compute-sanitizer and ASan, which slow kernels down 10-100x)
//     --large  adds m = 4096 (minutes of CPU reference on 16 cores)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "horkd/horkd.h"
#include "reference.hpp"

namespace {

int failures = 0;
int checks = 0;
unsigned long long output_hash = 1469598103934665603ULL;  // FNV-1a over every output, in test order

void hash_bytes(const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) output_hash = (output_hash ^ b[i]) * 1099511628211ULL;
}

template <typename T>
void hash_all(const std::vector<T>& v) {
    hash_bytes(v.data(), v.size() * sizeof(T));
}

void expect(bool ok, const std::string& what) {
    ++checks;
    if (!ok) {
        ++failures;
        std::printf("FAIL %s\n", what.c_str());
    }
}

void check_status(int st, const char* call) {
    if (st != HORKD_SUCCESS) {
        std::printf("FAIL %s: %s %s\n", call, horkd_status_string(st), horkd_last_error());
        std::exit(1);
    }
}

struct Case {
    unsigned long long seed;
    int batch, m, ds, dt;
    double scale, offset;
    bool duplicates;
    std::string name() const {
        char buf[160];
        std::snprintf(buf, sizeof buf, "seed=%llu B=%d m=%d ds=%d dt=%d scale=%g offset=%g%s", seed, batch, m, ds, dt,
                      scale, offset, duplicates ? " +dup" : "");
        return buf;
    }
};

std::vector<float> features(std::mt19937_64& rng, const Case& c, int d) {
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.5, 1.5);
    std::vector<double> column(d);
    for (int k = 0; k < d; ++k) column[k] = c.offset * ((rng() & 1) ? 1 : -1) * unit(rng);
    std::vector<float> x(static_cast<size_t>(c.batch) * c.m * d);
    for (int b = 0; b < c.batch; ++b)
        for (int i = 0; i < c.m; ++i)
            for (int k = 0; k < d; ++k) x[(static_cast<size_t>(b) * c.m + i) * d + k] = static_cast<float>(column[k] + c.scale * normal(rng));
    if (c.duplicates && c.m >= 3) {
        for (int b = 0; b < c.batch; ++b)
            for (int k = 0; k < d; ++k) x[(static_cast<size_t>(b) * c.m + c.m - 1) * d + k] = x[(static_cast<size_t>(b) * c.m) * d + k];
    }
    return x;
}

ref::Mat problem(const std::vector<float>& x, int b, int m, int d) {
    return ref::Mat(x.begin() + static_cast<long long>(b) * m * d, x.begin() + static_cast<long long>(b + 1) * m * d);
}

void compare_value(double gpu, double want, const std::string& what) {
    expect(std::fabs(gpu - want) <= 1e-9 * std::fabs(want) + 1e-14,
           what + ": value " + std::to_string(gpu) + " vs reference " + std::to_string(want));
}

void compare_grad(const float* gpu, const ref::Mat& want, double g0, const std::string& what) {
    double err = 0, mx = 0;
    for (size_t q = 0; q < want.size(); ++q) {
        err = std::max(err, std::fabs(static_cast<double>(gpu[q]) - want[q]));
        mx = std::max(mx, std::fabs(want[q]));
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, ": gradient max error %.3g, max |ref| %.3g, scale %.3g", err, mx, g0);
    expect(err <= 2e-6 * mx + 1e-8 * g0, what + buf);
}

double mean_distance(const ref::Mat& x, int m, int d) {
    ref::Mat sq = ref::squared_distances(x, m, d);
    double s = 0;
    for (double v : sq) s += std::sqrt(v);
    return m > 1 ? std::max(s / (static_cast<double>(m) * (m - 1)), 1e-6) : 1;
}

double angle_bound(const ref::Mat& x, int m, int d) {
    ref::Mat sq = ref::squared_distances(x, m, d);
    double bound = 0;
    for (int p = 0; p < m; ++p) {
        double s = 0;
        for (int j = 0; j < m; ++j)
            if (j != p && sq[static_cast<size_t>(p) * m + j] >= ref::kEps) s += 1 / std::sqrt(sq[static_cast<size_t>(p) * m + j]);
        bound = std::max(bound, 4 * s / (static_cast<double>(m) * (m - 1)));
    }
    return bound;
}

void relational_case(horkd_workspace* ws, const Case& c) {
    std::mt19937_64 rng(c.seed);
    auto s = features(rng, c, c.ds);
    auto t = features(rng, c, c.dt);
    const int B = c.batch, m = c.m;
    for (int variant = 0; variant < 2; ++variant) {
        // 0: the paper's square L2 + L3; 1: RKD's Huber L2 + L3 over m^2 and m^3.
        const bool rkd = variant == 1;
        std::vector<double> v2(B), v3(B), cd(B, 1.0), ca(B, 1.0);
        std::vector<float> grad2(s.size(), 0.f), grad3(s.size(), 0.f);
        check_status(horkd_relational_host(ws, s.data(), t.data(), B, m, c.ds, c.dt,
                                           rkd ? HORKD_DISTANCE_HUBER : HORKD_DISTANCE_SQUARE, rkd, 0, 0, cd.data(),
                                           nullptr, v2.data(), nullptr, grad2.data()),
                     "horkd_relational_host (L2)");
        check_status(horkd_relational_host(ws, s.data(), t.data(), B, m, c.ds, c.dt, HORKD_DISTANCE_OFF, 0, 1, rkd,
                                           nullptr, ca.data(), nullptr, v3.data(), grad3.data()),
                     "horkd_relational_host (L3)");
        for (int b = 0; b < B; ++b) {
            ref::Mat g = problem(s, b, m, c.ds), f = problem(t, b, m, c.dt);
            const double div2 = rkd ? static_cast<double>(m) * m : static_cast<double>(m) * (m - 1);
            const double div3 = rkd ? static_cast<double>(m) * m * m : static_cast<double>(m) * (m - 1) * (m - 2);
            ref::Result r2 = ref::distance(g, f, m, c.ds, c.dt, rkd, div2);
            ref::Result r3 = ref::angle(g, f, m, c.ds, c.dt, div3);
            std::string tag = c.name() + (rkd ? " rkd" : " paper") + " problem " + std::to_string(b);
            compare_value(v2[b], r2.value, "L2 " + tag);
            compare_value(v3[b], r3.value, "L3 " + tag);
            compare_grad(grad2.data() + static_cast<size_t>(b) * m * c.ds, r2.grad, 1 / (m * mean_distance(g, m, c.ds)), "L2 " + tag);
            compare_grad(grad3.data() + static_cast<size_t>(b) * m * c.ds, r3.grad, angle_bound(g, m, c.ds), "L3 " + tag);
        }
        hash_all(v2);
        hash_all(v3);
        hash_all(grad2);
        hash_all(grad3);
    }
    std::printf("ok   relational %s\n", c.name().c_str());
}

void feature_case(horkd_workspace* ws, const Case& c) {
    std::mt19937_64 rng(c.seed + 7);
    auto s = features(rng, c, c.ds);
    auto t = features(rng, c, c.dt);
    const int B = c.batch, m = c.m, classes = 1 + static_cast<int>(rng() % 12);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<float> p(static_cast<size_t>(c.dt) * c.ds), u(static_cast<size_t>(classes) * c.dt);
    for (auto& v : p) v = static_cast<float>(normal(rng) / std::sqrt(c.ds));
    for (auto& v : u) v = static_cast<float>(0.5 * c.offset + c.scale * normal(rng));
    std::vector<int> labels(static_cast<size_t>(B) * m);
    for (auto& l : labels) l = static_cast<int>(rng() % classes);
    ref::Mat pd(p.begin(), p.end()), ud(u.begin(), u.end());
    for (int kind = 0; kind < 4; ++kind) {  // L1 MAE, L1 MSE, LC dataset, LC batch: all through the projection
        std::vector<double> v(B);
        std::vector<float> gs(s.size(), 0.f), gp(p.size(), 0.f);
        const char* name = kind == 0 ? "L1 mae" : kind == 1 ? "L1 mse" : kind == 2 ? "LC dataset" : "LC batch";
        if (kind < 2) {
            check_status(horkd_pointwise_host(ws, s.data(), t.data(), B, m, c.ds, c.dt, kind, p.data(), nullptr, v.data(),
                                              gs.data(), gp.data()), "horkd_pointwise_host");
        } else {
            check_status(horkd_center_host(ws, s.data(), t.data(), B, m, c.ds, c.dt, labels.data(), classes,
                                           kind == 2 ? u.data() : nullptr, p.data(), nullptr, v.data(), gs.data(),
                                           gp.data()), "horkd_center_host");
        }
        ref::Mat gpsum(p.size(), 0.0);
        for (int b = 0; b < B; ++b) {
            ref::Mat g = problem(s, b, m, c.ds), f = problem(t, b, m, c.dt);
            std::vector<int> lb(labels.begin() + static_cast<long long>(b) * m, labels.begin() + static_cast<long long>(b + 1) * m);
            ref::Result r = kind < 2 ? ref::pointwise(g, f, &pd, m, c.ds, c.dt, kind == 1)
                                     : ref::center(g, f, &pd, kind == 2 ? &ud : nullptr, lb, m, c.ds, c.dt, classes);
            std::string tag = std::string(name) + " " + c.name() + " problem " + std::to_string(b);
            compare_value(v[b], r.value, tag);
            compare_grad(gs.data() + static_cast<size_t>(b) * m * c.ds, r.grad, c.scale / m, tag);
            for (size_t q = 0; q < gpsum.size(); ++q) gpsum[q] += r.gradp[q];
        }
        compare_grad(gp.data(), gpsum, c.scale / m, std::string(name) + " dP " + c.name());
        hash_all(v);
        hash_all(gs);
        hash_all(gp);
    }
    {  // Resolution-aware distillation: MMD through the projection, the pair-wise constraint on any widths
        std::vector<double> vm(B), vc(B);
        std::vector<float> gm(s.size(), 0.f), gpm(p.size(), 0.f), gc(s.size(), 0.f);
        check_status(horkd_mmd_host(ws, s.data(), t.data(), B, m, c.ds, c.dt, p.data(), nullptr, vm.data(), gm.data(),
                                    gpm.data()), "horkd_mmd_host");
        check_status(horkd_pairwise_constraint_host(ws, s.data(), t.data(), B, m, c.ds, c.dt, nullptr, vc.data(), gc.data()),
                     "horkd_pairwise_constraint_host");
        ref::Mat gpsum(p.size(), 0.0);
        for (int b = 0; b < B; ++b) {
            ref::Mat g = problem(s, b, m, c.ds), f = problem(t, b, m, c.dt);
            ref::Result rm = ref::mmd(g, f, &pd, m, c.ds, c.dt);
            ref::Result rc = ref::cosine_constraint(g, f, m, c.ds, c.dt);
            std::string tag = c.name() + " problem " + std::to_string(b);
            compare_value(vm[b], rm.value, "MMD " + tag);
            compare_value(vc[b], rc.value, "pair-wise " + tag);
            double gmax = 0;
            for (double v : rm.grad) gmax = std::max(gmax, std::fabs(v));
            compare_grad(gm.data() + static_cast<size_t>(b) * m * c.ds, rm.grad, gmax, "MMD " + tag);
            // The constraint's gradient is 4/(m |g_i|) times errors of cosines (at most 2): that is its scale,
            // also where the cosines nearly agree and the gradient is lost in their rounding (any implementation).
            double norms = 0;
            for (int i = 0; i < m; ++i) {
                double n2 = 0;
                for (int k = 0; k < c.ds; ++k) n2 += g[i * c.ds + k] * g[i * c.ds + k];
                norms += std::sqrt(n2) / m;
            }
            compare_grad(gc.data() + static_cast<size_t>(b) * m * c.ds, rc.grad, 4 / (m * std::max(norms, 1e-300)), "pair-wise " + tag);
            for (size_t q = 0; q < gpsum.size(); ++q) gpsum[q] += rm.gradp[q];
        }
        double pmax = 0;
        for (double v : gpsum) pmax = std::max(pmax, std::fabs(v));
        compare_grad(gpm.data(), gpsum, pmax, "MMD dP " + c.name());
        hash_all(vm);
        hash_all(vc);
        hash_all(gm);
        hash_all(gpm);
        hash_all(gc);
    }
    if (c.ds == c.dt) {  // Hinton KD on the features read as logits
        std::vector<double> v(B);
        std::vector<float> gs(s.size(), 0.f);
        check_status(horkd_hinton_host(ws, s.data(), t.data(), B, m, c.ds, 4.0, nullptr, v.data(), gs.data()),
                     "horkd_hinton_host");
        for (int b = 0; b < B; ++b) {
            ref::Result r = ref::hinton(problem(s, b, m, c.ds), problem(t, b, m, c.dt), m, c.ds, 4.0);
            compare_value(v[b], r.value, "KD " + c.name());
            compare_grad(gs.data() + static_cast<size_t>(b) * m * c.ds, r.grad, 1.0 / m, "KD " + c.name());
        }
        hash_all(v);
        hash_all(gs);
    }
    std::printf("ok   features   %s\n", c.name().c_str());
}

// Device memory of the test, freed at scope exit.
class Device {
  public:
    explicit Device(size_t bytes) : bytes_(bytes) {
        check_status(horkd_malloc(&ptr_, static_cast<long long>(bytes)), "horkd_malloc");
    }
    template <typename T>
    explicit Device(const std::vector<T>& host) : Device(host.size() * sizeof(T)) {
        check_status(horkd_memcpy_h2d(ptr_, host.data(), static_cast<long long>(bytes_), nullptr), "horkd_memcpy_h2d");
    }
    ~Device() { horkd_free(ptr_); }
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;
    template <typename T>
    T* as() const {
        return static_cast<T*>(ptr_);
    }
    template <typename T>
    std::vector<T> fetch() const {
        std::vector<T> h(bytes_ / sizeof(T));
        check_status(horkd_memcpy_d2h(h.data(), ptr_, static_cast<long long>(bytes_), nullptr), "horkd_memcpy_d2h");
        check_status(horkd_stream_synchronize(nullptr), "horkd_stream_synchronize");
        return h;
    }

  private:
    void* ptr_ = nullptr;
    size_t bytes_;
};

// Device-pointer entries, with the inputs enqueued on the legacy default stream (NULL) and no
// synchronisation before the loss: NULL is the same stream for the loss (horkd.h's stream rule), so it
// sees them; the values and gradients must be those of the host entry to the bit, and again run to run.
void device_entries_and_stream_rule(horkd_workspace* ws) {
    Case c{4242, 2, 300, 96, 64, 1.0, 3.0, true};
    std::mt19937_64 rng(c.seed);
    auto s = features(rng, c, c.ds);
    auto t = features(rng, c, c.dt);
    const int classes = 5;
    std::vector<int> labels(static_cast<size_t>(c.batch) * c.m);
    for (auto& l : labels) l = static_cast<int>(rng() % classes);
    std::vector<float> p(static_cast<size_t>(c.dt) * c.ds), u(static_cast<size_t>(classes) * c.dt), zeros(s.size(), 0.f);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (auto& v : p) v = static_cast<float>(normal(rng) / 10);
    for (auto& v : u) v = static_cast<float>(3 + normal(rng));
    std::vector<float> tk(s.size());  // teacher logits for KD, the width of the student
    for (auto& v : tk) v = static_cast<float>(2 * normal(rng));
    const int B = c.batch;

    std::vector<double> v2a(B), v3a(B), v2b(B), v3b(B);
    std::vector<float> ga(s.size(), 0.f);
    check_status(horkd_relational_host(ws, s.data(), t.data(), B, c.m, c.ds, c.dt, HORKD_DISTANCE_SQUARE, 0, 1, 0,
                                       nullptr, nullptr, v2a.data(), v3a.data(), ga.data()), "relational host");
    {
        Device ds_(s), dt_(t), dg_(zeros);
        check_status(horkd_relational(ws, ds_.as<float>(), dt_.as<float>(), B, c.m, c.ds, c.dt, HORKD_DISTANCE_SQUARE, 0,
                                      1, 0, nullptr, nullptr, v2b.data(), v3b.data(), dg_.as<float>(), nullptr),
                     "relational device");
        expect(v2a == v2b && v3a == v3b && ga == dg_.fetch<float>(), "relational: device entry = host entry, to the bit");
    }
    std::vector<float> gc(s.size(), 0.f);
    check_status(horkd_relational_host(ws, s.data(), t.data(), B, c.m, c.ds, c.dt, HORKD_DISTANCE_SQUARE, 0, 1, 0,
                                       nullptr, nullptr, v2b.data(), v3b.data(), gc.data()), "relational host again");
    expect(ga == gc && v2a == v2b, "relational: run to run, the same bits");
    hash_all(v2a);
    hash_all(v3a);
    hash_all(ga);

    for (int lc = 0; lc < 2; ++lc) {
        std::vector<double> va(B), vb(B);
        std::vector<float> gsa(s.size(), 0.f), gpa(p.size(), 0.f), pz(p.size(), 0.f);
        if (lc) {
            check_status(horkd_center_host(ws, s.data(), t.data(), B, c.m, c.ds, c.dt, labels.data(), classes, nullptr,
                                           p.data(), nullptr, va.data(), gsa.data(), gpa.data()), "center host");
        } else {
            check_status(horkd_pointwise_host(ws, s.data(), t.data(), B, c.m, c.ds, c.dt, 1, p.data(), nullptr, va.data(),
                                              gsa.data(), gpa.data()), "pointwise host");
        }
        Device ds_(s), dt_(t), dl_(labels), dp_(p), dgs_(zeros), dgp_(pz);
        if (lc) {
            check_status(horkd_center(ws, ds_.as<float>(), dt_.as<float>(), B, c.m, c.ds, c.dt, dl_.as<int>(), classes,
                                      nullptr, dp_.as<float>(), nullptr, vb.data(), dgs_.as<float>(), dgp_.as<float>(),
                                      nullptr), "center device");
        } else {
            check_status(horkd_pointwise(ws, ds_.as<float>(), dt_.as<float>(), B, c.m, c.ds, c.dt, 1, dp_.as<float>(),
                                         nullptr, vb.data(), dgs_.as<float>(), dgp_.as<float>(), nullptr), "pointwise device");
        }
        expect(va == vb && gsa == dgs_.fetch<float>() && gpa == dgp_.fetch<float>(),
               std::string(lc ? "LC" : "L1") + ": device entry = host entry, to the bit");
        hash_all(va);
        hash_all(gsa);
        hash_all(gpa);
    }
    {
        std::vector<double> va(B), vb(B);
        std::vector<float> gsa(s.size(), 0.f);
        check_status(horkd_hinton_host(ws, s.data(), tk.data(), B, c.m, c.ds, 2.0, nullptr, va.data(), gsa.data()),
                     "hinton host");
        Device ds_(s), dt_(tk), dg_(zeros);
        check_status(horkd_hinton(ws, ds_.as<float>(), dt_.as<float>(), B, c.m, c.ds, 2.0, nullptr, vb.data(),
                                  dg_.as<float>(), nullptr), "hinton device");
        expect(va == vb && gsa == dg_.fetch<float>(), "KD: device entry = host entry, to the bit");
        hash_all(va);
        hash_all(gsa);
    }
    std::printf("ok   device entries, stream rule and determinism\n");
}

// L1 and LC with the identity projection (d_projection NULL, no projection gradient) on a fresh
// workspace, LC with dataset centres and no labels, and more than 65535 classes.
void identity_projection_and_classes() {
    horkd_workspace* ws = nullptr;
    check_status(horkd_workspace_create(&ws), "horkd_workspace_create");
    struct Shape {
        int batch, m, d, classes;
    } shapes[] = {{1, 8, 64, 3}, {2, 1, 5, 2}, {1, 2, 3, 4}, {3, 3, 17, 2}, {1, 100, 33, 9}, {1, 40, 4, 70001}};
    unsigned long long seed = 31;
    for (const Shape& sh : shapes) {
        Case c{seed++, sh.batch, sh.m, sh.d, sh.d, 1.0, 2.0, false};
        std::mt19937_64 rng(c.seed);
        auto s = features(rng, c, c.ds);
        auto t = features(rng, c, c.dt);
        std::normal_distribution<double> normal(0.0, 1.0);
        std::vector<float> u(static_cast<size_t>(sh.classes) * c.dt);
        for (auto& v : u) v = static_cast<float>(1 + normal(rng));
        std::vector<int> labels(static_cast<size_t>(c.batch) * c.m);
        for (auto& l : labels) l = static_cast<int>(rng() % sh.classes);
        ref::Mat ud(u.begin(), u.end());
        for (int kind = 0; kind < 4; ++kind) {  // L1 mae, L1 mse, LC dataset (no labels), LC batch
            std::vector<double> v(c.batch);
            std::vector<float> gs(s.size(), 0.f);
            if (kind < 2) {
                check_status(horkd_pointwise_host(ws, s.data(), t.data(), c.batch, c.m, c.ds, c.dt, kind, nullptr, nullptr,
                                                  v.data(), gs.data(), nullptr), "horkd_pointwise_host (identity)");
            } else {
                check_status(horkd_center_host(ws, s.data(), t.data(), c.batch, c.m, c.ds, c.dt,
                                               kind == 2 ? nullptr : labels.data(), sh.classes, kind == 2 ? u.data() : nullptr,
                                               nullptr, nullptr, v.data(), gs.data(), nullptr), "horkd_center_host (identity)");
            }
            for (int b = 0; b < c.batch; ++b) {
                ref::Mat g = problem(s, b, c.m, c.ds), f = problem(t, b, c.m, c.dt);
                std::vector<int> lb(labels.begin() + static_cast<long long>(b) * c.m, labels.begin() + static_cast<long long>(b + 1) * c.m);
                ref::Result r = kind < 2 ? ref::pointwise(g, f, nullptr, c.m, c.ds, c.dt, kind == 1)
                                         : ref::center(g, f, nullptr, kind == 2 ? &ud : nullptr, lb, c.m, c.ds, c.dt, sh.classes);
                std::string tag = std::string(kind == 0 ? "L1 mae" : kind == 1 ? "L1 mse" : kind == 2 ? "LC dataset, no labels" : "LC batch") +
                                  " identity " + c.name() + " classes=" + std::to_string(sh.classes) + " problem " + std::to_string(b);
                compare_value(v[b], r.value, tag);
                compare_grad(gs.data() + static_cast<size_t>(b) * c.m * c.ds, r.grad, c.scale / c.m, tag);
            }
            hash_all(v);
            hash_all(gs);
        }
    }
    horkd_workspace_destroy(ws);
    std::printf("ok   identity projection, dataset centres without labels, up to 70001 classes\n");
}

// KD over many classes with a teacher that is one-hot to double precision (most p_t underflow to 0).
void kd_peaked() {
    horkd_workspace* ws = nullptr;
    check_status(horkd_workspace_create(&ws), "horkd_workspace_create");
    for (int m : {1, 2, 3, 17}) {
        for (double temperature : {1.0, 4.0}) {
            const int classes = 1000;
            std::mt19937_64 rng(900 + m);
            std::normal_distribution<double> normal(0.0, 1.0);
            std::vector<float> s(static_cast<size_t>(m) * classes), t(s.size());
            for (auto& v : s) v = static_cast<float>(3 * normal(rng));
            for (int i = 0; i < m; ++i) {
                const int hot = static_cast<int>(rng() % classes);
                for (int k = 0; k < classes; ++k) t[static_cast<size_t>(i) * classes + k] = k == hot ? 800.f : -800.f;
            }
            std::vector<double> v(1);
            std::vector<float> g(s.size(), 0.f);
            check_status(horkd_hinton_host(ws, s.data(), t.data(), 1, m, classes, temperature, nullptr, v.data(), g.data()),
                         "horkd_hinton_host (peaked)");
            ref::Result r = ref::hinton(ref::Mat(s.begin(), s.end()), ref::Mat(t.begin(), t.end()), m, classes, temperature);
            std::string tag = "KD 1000 classes, one-hot teacher, m=" + std::to_string(m) + " T=" + std::to_string(temperature);
            compare_value(v[0], r.value, tag);
            expect(std::isfinite(v[0]) && v[0] > 0, tag + ": finite and positive");
            compare_grad(g.data(), r.grad, 1.0 / m, tag);
            hash_all(v);
            hash_all(g);
        }
    }
    horkd_workspace_destroy(ws);
    std::printf("ok   KD with 1000 classes and a one-hot teacher\n");
}

// horkd_center_rows, with and without squared norms, against float64 centring of the same rows.
void center_rows_cases() {
    const int shapes[][3] = {{1, 1, 5}, {2, 2, 7}, {1, 3, 1}, {2, 37, 33}, {3, 129, 1000}};
    for (const auto& sh : shapes) {
        const int batch = sh[0], m = sh[1], d = sh[2];
        Case c{static_cast<unsigned long long>(70 + m), batch, m, d, d, 0.1, 1000, false};
        std::mt19937_64 rng(c.seed);
        auto x = features(rng, c, d);
        for (int norms = 0; norms < 2; ++norms) {
            Device dx(x), dout(x.size() * sizeof(float)), dn(std::vector<float>(static_cast<size_t>(batch) * m, 7.f));
            check_status(horkd_center_rows(dx.as<float>(), dout.as<float>(), norms ? dn.as<float>() : nullptr, batch, m, d, nullptr),
                         "horkd_center_rows");
            std::vector<float> out = dout.fetch<float>(), got_norms = dn.fetch<float>();
            double worst_ulps = 0, worst_norm = 0;
            for (int b = 0; b < batch; ++b) {
                std::vector<double> mean(d, 0.0);
                for (int i = 0; i < m; ++i)
                    for (int k = 0; k < d; ++k) mean[k] += x[(static_cast<size_t>(b) * m + i) * d + k];
                for (int i = 0; i < m; ++i) {
                    double norm = 0;
                    for (int k = 0; k < d; ++k) {
                        size_t at = (static_cast<size_t>(b) * m + i) * d + k;
                        float want = static_cast<float>(x[at] - mean[k] / m);
                        worst_ulps = std::max(worst_ulps, std::fabs(static_cast<double>(out[at]) - want) /
                                                              std::max(std::nextafter(std::fabs(want), INFINITY) - std::fabs(want), 1e-45f));
                        norm += static_cast<double>(want) * want;
                    }
                    const float got = got_norms[static_cast<size_t>(b) * m + i];
                    worst_norm = std::max(worst_norm, norms ? std::fabs(got - norm) / (norm + 1e-30) : (got == 7.f ? 0.0 : 1.0));
                }
            }
            std::string tag = "center_rows B=" + std::to_string(batch) + " m=" + std::to_string(m) + " d=" + std::to_string(d) +
                              (norms ? " with norms" : " without norms");
            expect(worst_ulps <= 1.0, tag + ": centred values within 1 ulp, worst " + std::to_string(worst_ulps));
            expect(worst_norm <= 1e-5, tag + (norms ? ": squared norms within 1e-5" : ": the norms buffer untouched"));
            hash_all(out);
            hash_all(got_norms);
        }
    }
    std::printf("ok   center_rows with and without squared norms\n");
}

// horkd_center_accumulate over two batches against exact sums (integer-valued features: every partial
// sum is exact in double), up to 70001 classes.
void accumulate_cases() {
    horkd_workspace* ws = nullptr;
    check_status(horkd_workspace_create(&ws), "horkd_workspace_create");
    const int shapes[][3] = {{1, 1, 1}, {50, 7, 3}, {300, 130, 11}, {40, 3, 70001}};
    for (const auto& sh : shapes) {
        const int n = sh[0], d = sh[1], classes = sh[2];
        std::mt19937_64 rng(500 + n);
        std::vector<double> sums(static_cast<size_t>(classes) * d);
        std::vector<long long> counts(classes);
        for (size_t q = 0; q < sums.size(); ++q) sums[q] = 0.25 * static_cast<double>(q % 97);
        for (int k = 0; k < classes; ++k) counts[k] = k % 5;
        Device dsums(sums), dcounts(counts);
        for (int batch = 0; batch < 2; ++batch) {
            std::vector<float> x(static_cast<size_t>(n) * d);
            std::vector<int> labels(n);
            for (auto& v : x) v = static_cast<float>(static_cast<int>(rng() % 17) - 8);
            for (auto& l : labels) l = static_cast<int>(rng() % classes);
            Device dx(x), dl(labels);
            check_status(horkd_center_accumulate(ws, dx.as<float>(), dl.as<int>(), n, d, classes, dsums.as<double>(),
                                                 dcounts.as<long long>(), nullptr), "horkd_center_accumulate");
            for (int i = 0; i < n; ++i) {
                counts[labels[i]] += 1;
                for (int k = 0; k < d; ++k) sums[static_cast<size_t>(labels[i]) * d + k] += x[static_cast<size_t>(i) * d + k];
            }
        }
        std::vector<double> got_sums = dsums.fetch<double>();
        std::vector<long long> got_counts = dcounts.fetch<long long>();
        expect(got_sums == sums && got_counts == counts,
               "accumulate n=" + std::to_string(n) + " d=" + std::to_string(d) + " classes=" + std::to_string(classes) +
                   ": exact sums and counts");
        hash_all(got_sums);
        hash_all(got_counts);
    }
    horkd_workspace_destroy(ws);
    std::printf("ok   center_accumulate, exact, up to 70001 classes\n");
}

// Every bad argument of horkd.h: its status, a detail naming the function and the argument, and nothing
// written (outputs keep the sentinel they were filled with).
void bad_arguments(horkd_workspace* ws) {
    const int m = 4, d = 3;
    std::vector<float> x(static_cast<size_t>(m) * d, 1.f), w(static_cast<size_t>(d) * 2, 0.5f);
    x[0] = 2.f;
    std::vector<int> labels = {0, 1, 2, 1};
    const float kSentinel = 12345.f;
    std::vector<double> v(1, 12345.0), v3(1, 12345.0);
    std::vector<float> g(x.size(), kSentinel), gp(w.size(), kSentinel);
    auto unchanged = [&] {
        bool ok = v[0] == 12345.0 && v3[0] == 12345.0;
        for (float q : g) ok = ok && q == kSentinel;
        for (float q : gp) ok = ok && q == kSentinel;
        return ok;
    };
    auto refused = [&](int st, const char* fn, const char* detail, const std::string& what) {
        std::string err = horkd_last_error();
        expect(st == HORKD_ERROR_INVALID_ARGUMENT && err.find(fn) != std::string::npos && err.find(detail) != std::string::npos,
               what + ": want " + fn + " ... " + detail + ", got " + horkd_status_string(st) + " '" + err + "'");
        expect(unchanged(), what + ": nothing written");
    };
    const float* X = x.data();
    float* G = g.data();
    double* V = v.data();
    double* V3 = v3.data();
    // relational (host entry; the device entry shares the checks)
    auto rel = [&](horkd_workspace* w_, const float* s, const float* t, int b, int mm, int ds, int dt, int dist, int dred,
                   int ang, int ared, double* vd, double* va) {
        return horkd_relational_host(w_, s, t, b, mm, ds, dt, dist, dred, ang, ared, nullptr, nullptr, vd, va, G);
    };
    refused(rel(nullptr, X, X, 1, m, d, d, 1, 0, 1, 0, V, V3), "horkd_relational_host", "ws must not be NULL", "relational ws");
    refused(rel(ws, nullptr, X, 1, m, d, d, 1, 0, 1, 0, V, V3), "horkd_relational_host", "student must not be NULL", "relational student");
    refused(rel(ws, X, nullptr, 1, m, d, d, 1, 0, 1, 0, V, V3), "horkd_relational_host", "teacher must not be NULL", "relational teacher");
    refused(rel(ws, X, X, 0, m, d, d, 1, 0, 1, 0, V, V3), "horkd_relational_host", "batch=0", "relational batch 0");
    refused(rel(ws, X, X, 1, -1, d, d, 1, 0, 1, 0, V, V3), "horkd_relational_host", "m=-1", "relational m -1");
    refused(rel(ws, X, X, 1, m, 0, d, 1, 0, 1, 0, V, V3), "horkd_relational_host", "ds=0", "relational ds 0");
    refused(rel(ws, X, X, 1, m, d, -3, 1, 0, 1, 0, V, V3), "horkd_relational_host", "dt=-3", "relational dt -3");
    refused(rel(ws, X, X, 1, m, d, d, 3, 0, 1, 0, V, V3), "horkd_relational", "distance=3", "relational distance 3");
    refused(rel(ws, X, X, 1, m, d, d, -1, 0, 1, 0, V, V3), "horkd_relational", "distance=-1", "relational distance -1");
    refused(rel(ws, X, X, 1, m, d, d, 1, 7, 1, 0, V, V3), "horkd_relational", "distance_reduction=7", "relational distance reduction 7");
    refused(rel(ws, X, X, 1, m, d, d, 1, 0, 2, 0, V, V3), "horkd_relational", "angle=2", "relational angle 2");
    refused(rel(ws, X, X, 1, m, d, d, 1, 0, 1, 7, V, V3), "horkd_relational", "angle_reduction=7", "relational angle reduction 7");
    refused(rel(ws, X, X, 1, m, d, d, 1, 0, 1, 0, nullptr, V3), "horkd_relational", "values_distance must not be NULL", "relational values_distance");
    refused(rel(ws, X, X, 1, m, d, d, 0, 0, 1, 0, V, nullptr), "horkd_relational", "values_angle must not be NULL", "relational values_angle");
    refused(horkd_relational(ws, nullptr, X, 1, m, d, d, 1, 0, 1, 0, nullptr, nullptr, V, V3, nullptr, nullptr), "horkd_relational",
            "d_student must not be NULL", "relational device student");
    refused(horkd_relational(nullptr, X, X, 1, m, d, d, 1, 0, 1, 0, nullptr, nullptr, V, V3, nullptr, nullptr), "horkd_relational",
            "ws must not be NULL", "relational device ws");
    // Resolution-aware distillation's MMD and pair-wise constraint
    refused(horkd_mmd_host(nullptr, X, X, 1, m, d, d, nullptr, nullptr, V, G, nullptr), "horkd_mmd_host", "ws must not be NULL", "MMD ws");
    refused(horkd_mmd_host(ws, X, X, 1, m, d, 2, nullptr, nullptr, V, G, nullptr), "horkd_mmd", "needs a projection [2, 3]",
            "MMD widths without projection");
    refused(horkd_mmd_host(ws, X, X, 1, m, d, d, nullptr, nullptr, V, G, gp.data()), "horkd_mmd", "d_grad_projection without d_projection",
            "MMD dP without P");
    refused(horkd_mmd_host(ws, X, X, 1, 0, d, d, nullptr, nullptr, V, G, nullptr), "horkd_mmd_host", "m=0", "MMD m 0");
    refused(horkd_mmd(ws, X, X, 1, m, d, d, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr), "horkd_mmd", "values must not be NULL",
            "MMD device values");
    refused(horkd_pairwise_constraint_host(ws, nullptr, X, 1, m, d, d, nullptr, V, G), "horkd_pairwise_constraint_host",
            "student must not be NULL", "pair-wise student");
    refused(horkd_pairwise_constraint(ws, X, X, -1, m, d, d, nullptr, V, nullptr, nullptr), "horkd_pairwise_constraint", "batch=-1",
            "pair-wise device batch -1");
    // LC
    auto lc = [&](const int* l, int classes, const float* u, const float* p, int ds, int dt, double* vv, float* gpp) {
        return horkd_center_host(ws, X, X, 1, m, ds, dt, l, classes, u, p, nullptr, vv, G, gpp);
    };
    std::vector<int> bad_labels = {0, 1, 7, 1};
    refused(lc(bad_labels.data(), 3, nullptr, nullptr, d, d, V, nullptr), "horkd_center_host", "label 7 at flat index 2 is outside 0..2", "LC label 7");
    refused(lc(labels.data(), 0, nullptr, nullptr, d, d, V, nullptr), "horkd_center", "classes=0", "LC classes 0");
    refused(lc(nullptr, 3, nullptr, nullptr, d, d, V, nullptr), "horkd_center", "d_labels", "LC batch scope without labels");
    refused(lc(labels.data(), 3, nullptr, nullptr, d, 2, V, nullptr), "horkd_center", "needs a projection [2, 3]", "LC widths without projection");
    refused(lc(labels.data(), 3, nullptr, nullptr, d, d, V, gp.data()), "horkd_center", "d_grad_projection without d_projection", "LC dP without P");
    refused(lc(labels.data(), 3, nullptr, nullptr, d, d, nullptr, nullptr), "horkd_center", "values must not be NULL", "LC values");
    refused(horkd_center(ws, X, X, 1, m, d, d, nullptr, 3, nullptr, nullptr, nullptr, V, nullptr, nullptr, nullptr), "horkd_center",
            "d_labels", "LC device batch scope without labels");
    refused(horkd_center(nullptr, X, X, 1, m, d, d, labels.data(), 3, nullptr, nullptr, nullptr, V, G, nullptr, nullptr),
            "horkd_center", "ws must not be NULL", "LC device ws");
    refused(horkd_center(ws, X, nullptr, 1, m, d, d, labels.data(), 3, nullptr, nullptr, nullptr, V, G, nullptr, nullptr),
            "horkd_center", "d_teacher must not be NULL", "LC device teacher");
    refused(horkd_center_host(nullptr, X, X, 1, m, d, d, labels.data(), 3, nullptr, nullptr, nullptr, V, G, nullptr),
            "horkd_center_host", "ws must not be NULL", "LC ws");
    refused(horkd_center_host(ws, X, X, 1, m, -2, d, labels.data(), 3, nullptr, nullptr, nullptr, V, G, nullptr),
            "horkd_center_host", "ds=-2", "LC ds -2");
    // L1
    refused(horkd_pointwise_host(ws, X, X, 1, m, d, d, 2, nullptr, nullptr, V, G, nullptr), "horkd_pointwise", "mse=2", "L1 mse 2");
    refused(horkd_pointwise_host(ws, X, X, 1, m, d, 2, 0, nullptr, nullptr, V, G, nullptr), "horkd_pointwise", "needs a projection", "L1 widths");
    refused(horkd_pointwise_host(ws, X, X, 1, m, d, d, 0, nullptr, nullptr, nullptr, G, nullptr), "horkd_pointwise", "values must not be NULL", "L1 values");
    refused(horkd_pointwise_host(nullptr, X, X, 1, m, d, d, 0, nullptr, nullptr, V, G, nullptr), "horkd_pointwise_host", "ws must not be NULL", "L1 ws");
    refused(horkd_pointwise(nullptr, X, X, 1, m, d, d, 0, nullptr, nullptr, V, G, nullptr, nullptr), "horkd_pointwise", "ws must not be NULL", "L1 device ws");
    refused(horkd_pointwise(ws, X, X, 1, m, d, d, 5, nullptr, nullptr, V, G, nullptr, nullptr), "horkd_pointwise", "mse=5", "L1 device mse 5");
    refused(horkd_pointwise(ws, nullptr, X, 1, m, d, d, 0, nullptr, nullptr, V, G, nullptr, nullptr), "horkd_pointwise", "d_student must not be NULL", "L1 device student");
    refused(horkd_pointwise_host(ws, X, X, -1, m, d, d, 0, nullptr, nullptr, V, G, nullptr), "horkd_pointwise_host", "batch=-1", "L1 batch -1");
    // KD
    for (double temperature : {0.0, -1.0, std::nan("")}) {
        refused(horkd_hinton_host(ws, X, X, 1, m, d, temperature, nullptr, V, G), "horkd_hinton", "temperature must be finite and > 0",
                "KD temperature " + std::to_string(temperature));
    }
    refused(horkd_hinton_host(ws, X, X, 1, m, 0, 1.0, nullptr, V, G), "horkd_hinton", "classes=0", "KD classes 0");
    refused(horkd_hinton_host(ws, X, X, 1, m, d, 1.0, nullptr, nullptr, G), "horkd_hinton", "values must not be NULL", "KD values");
    refused(horkd_hinton_host(nullptr, X, X, 1, m, d, 1.0, nullptr, V, G), "horkd_hinton_host", "ws must not be NULL", "KD ws");
    refused(horkd_hinton_host(ws, nullptr, X, 1, m, d, 1.0, nullptr, V, G), "horkd_hinton_host", "student must not be NULL", "KD student");
    refused(horkd_hinton(ws, X, nullptr, 1, m, d, 1.0, nullptr, V, G, nullptr), "horkd_hinton", "d_teacher must not be NULL", "KD device teacher");
    refused(horkd_hinton(nullptr, X, X, 1, m, d, 1.0, nullptr, V, G, nullptr), "horkd_hinton", "ws must not be NULL", "KD device ws");
    refused(horkd_hinton(ws, X, X, 1, -4, d, 1.0, nullptr, V, G, nullptr), "horkd_hinton", "m=-4", "KD m -4");
    // accumulate: the device sums and counts keep their values
    {
        std::vector<double> sums(6, 0.5);
        std::vector<long long> counts(2, 3);
        Device dx(x), dl(labels), dbad(bad_labels), dsums(sums), dcounts(counts);
        auto acc = [&](const float* t, const int* l, int n, int dd, int classes, double* su, long long* co) {
            return horkd_center_accumulate(ws, t, l, n, dd, classes, su, co, nullptr);
        };
        const float* T = dx.as<float>();
        const int* L = dl.as<int>();
        double* S = dsums.as<double>();
        long long* C = dcounts.as<long long>();
        refused(horkd_center_accumulate(nullptr, T, L, m, d, 3, S, C, nullptr), "horkd_center_accumulate", "ws must not be NULL",
                "accumulate ws");
        refused(acc(T, L, 0, d, 3, S, C), "horkd_center_accumulate", "n=0", "accumulate n 0");
        refused(acc(T, L, m, -1, 3, S, C), "horkd_center_accumulate", "d=-1", "accumulate d -1");
        refused(acc(T, L, m, d, 0, S, C), "horkd_center_accumulate", "classes=0", "accumulate classes 0");
        refused(acc(nullptr, L, m, d, 3, S, C), "horkd_center_accumulate", "d_teacher must not be NULL", "accumulate teacher");
        refused(acc(T, nullptr, m, d, 3, S, C), "horkd_center_accumulate", "d_labels must not be NULL", "accumulate labels");
        refused(acc(T, L, m, d, 3, nullptr, C), "horkd_center_accumulate", "d_sums must not be NULL", "accumulate sums");
        refused(acc(T, L, m, d, 3, S, nullptr), "horkd_center_accumulate", "d_counts must not be NULL", "accumulate counts");
        refused(acc(T, dbad.as<int>(), m, d, 3, S, C), "horkd_center_accumulate", "label 7 at flat index 2 is outside 0..2", "accumulate label 7");
        expect(dsums.fetch<double>() == sums && dcounts.fetch<long long>() == counts, "accumulate: refused calls leave sums and counts");
        // centring
        refused(horkd_center_rows(nullptr, G, nullptr, 1, m, d, nullptr), "horkd_center_rows", "must not be NULL", "center_rows NULL");
        refused(horkd_center_rows(T, const_cast<float*>(T), nullptr, 1, m, d, nullptr), "horkd_center_rows", "must not alias", "center_rows alias");
        refused(horkd_center_rows(T, G, nullptr, 70000, m, d, nullptr), "horkd_center_rows", "batch=70000 exceeds 65535", "center_rows batch");
        refused(horkd_center_rows(T, G, nullptr, 1, 0, d, nullptr), "horkd_center_rows", "m=0", "center_rows m 0");
    }
    // allocation, copies, workspaces
    void* p = reinterpret_cast<void*>(0x1);
    refused(horkd_malloc(nullptr, 16), "horkd_malloc", "bytes", "malloc NULL");
    refused(horkd_malloc(&p, 0), "horkd_malloc", "bytes=0", "malloc 0 bytes");
    refused(horkd_malloc(&p, -5), "horkd_malloc", "bytes=-5", "malloc -5 bytes");
    refused(horkd_memcpy_h2d(nullptr, X, 4, nullptr), "horkd_memcpy_h2d", "null pointer", "h2d NULL");
    refused(horkd_memcpy_d2h(G, X, -1, nullptr), "horkd_memcpy_d2h", "bytes=-1", "d2h -1 bytes");
    refused(horkd_workspace_create(nullptr), "horkd_workspace_create", "ws is NULL", "workspace_create NULL");
    refused(horkd_workspace_bytes(nullptr, nullptr, nullptr), "horkd_workspace_bytes", "ws is NULL", "workspace_bytes NULL");
    std::printf("ok   bad arguments named, nothing written\n");
}

}  // namespace

int main(int argc, char** argv) {
    const bool large = argc > 1 && std::strcmp(argv[1], "--large") == 0;
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    int devices = 0;
    if (horkd_device_count(&devices) != HORKD_SUCCESS) {
        std::printf("skipped: no CUDA device (%s)\n", horkd_last_error());
        return 77;
    }
    std::printf("%s, %d device(s)\n", horkd_emulated() ? "emulated CUDA device" : "CUDA", devices);
    horkd_workspace* ws = nullptr;
    check_status(horkd_workspace_create(&ws), "horkd_workspace_create");
    std::vector<Case> cases = {
        {1, 1, 3, 1, 2, 1e-4, 1000, false},   {2, 4, 5, 7, 3, 1e4, 0, true},      {3, 2, 17, 64, 32, 1e-2, 1000, true},
        {4, 1, 64, 256, 128, 1, 3, false},    {5, 8, 33, 3, 3, 1e-4, 0, true},    {6, 1, 129, 1024, 512, 1e-4, 100, false},
        {7, 1, 300, 16, 2048, 1, 1000, true}, {8, 3, 40, 1, 1, 1e3, 1000, false}, {9, 1, 257, 2048, 8, 1e4, 0, false},
        {10, 1, 1000, 64, 64, 1, 3, true},    {11, 2, 97, 2, 130, 0.5, 50, true},
    };
    std::mt19937_64 rng(20261121);
    for (int r = 0; r < 6; ++r) {
        auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
        int m = pick(3, 400);
        cases.push_back({static_cast<unsigned long long>(100 + r), pick(1, 4), m, 1 << pick(0, 11), pick(1, 700),
                         std::pow(10.0, -4 + 8 * (rng() % 1000) / 1000.0), static_cast<double>(pick(0, 1000)),
                         (rng() & 1) == 1});
    }
    if (large) cases.push_back({4096, 1, 4096, 128, 64, 1, 3, true});
    if (quick) cases = {{1, 1, 3, 1, 2, 1e-4, 1000, false}, {2, 2, 70, 33, 17, 1, 3, true}, {3, 1, 129, 5, 65, 10, 0, false}};
    // m = 1, 2, 3 for every loss (the relational terms are 0 with no gradient below 2 and 3 samples).
    for (int m = 1; m <= 3; ++m) {
        cases.push_back({static_cast<unsigned long long>(200 + m), 2, m, 4, 4, 1, 5, false});
        cases.push_back({static_cast<unsigned long long>(210 + m), 3, m, 1, 6, 1e3, 0, m == 3});
    }
    for (const Case& c : cases) relational_case(ws, c);
    for (const Case& c : cases) {
        if (c.m <= 1000) feature_case(ws, c);
    }
    identity_projection_and_classes();
    kd_peaked();
    center_rows_cases();
    accumulate_cases();
    device_entries_and_stream_rule(ws);
    bad_arguments(ws);
    long long dev = 0, pin = 0;
    horkd_workspace_bytes(ws, &dev, &pin);
    std::printf("%d checks, %d failures; workspace %lld MiB device, %lld MiB pinned\n", checks, failures, dev >> 20, pin >> 20);
    std::printf("output hash: %016llx\n", output_hash);
    horkd_workspace_destroy(ws);
    return failures == 0 ? 0 : 1;
}
