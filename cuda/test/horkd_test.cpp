// Native tests of the CUDA losses (run by ctest; exit 77 = skipped where there is no device).
//
// Every kernel against the float64 reference of reference.hpp on fresh random inputs: m from 3 to 4096
// (non-multiples of every tile size), widths 1 to 2048, 1 to 8 problems per call, per-column offsets up
// to 1000 and scales 1e-4 to 1e4, exact duplicate rows. Both entry points (device pointers and host
// arrays) and bit-for-bit determinism run to run.
//
// Tolerances (the GPU computes in float64 too, so only summation orders and the float32 rounding of
// the returned gradients differ):
//   values:    |gpu - ref| <= 1e-9 |ref| + 1e-14
//   gradients: max|gpu - ref| <= 2e-6 max|ref| + 1e-8 g0, g0 the scale of the summed terms (1/(m mu)
//              for L2, 4/(m(m-1)) max_p sum_j 1/D_pj for L3: it only matters where the exact gradient is
//              a cancellation, as for collinear points).
//
//   usage: horkd_test [--quick | --large]
//     --quick  three small cases (for compute-sanitizer, which slows kernels down 10-100x)
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
    }
    std::printf("ok   features   %s\n", c.name().c_str());
}

// Device-pointer entry: same bits as the host entry, and the same bits on a second run.
void determinism_and_device_entry(horkd_workspace* ws) {
    Case c{4242, 2, 300, 96, 64, 1.0, 3.0, true};
    std::mt19937_64 rng(c.seed);
    auto s = features(rng, c, c.ds);
    auto t = features(rng, c, c.dt);
    std::vector<double> v2a(2), v3a(2), v2b(2), v3b(2);
    std::vector<float> ga(s.size(), 0.f), gb(s.size(), 0.f);
    check_status(horkd_relational_host(ws, s.data(), t.data(), 2, c.m, c.ds, c.dt, HORKD_DISTANCE_SQUARE, 0, 1, 0,
                                       nullptr, nullptr, v2a.data(), v3a.data(), ga.data()), "host run 1");
    float *ds_, *dt_, *dg_;
    check_status(horkd_malloc(reinterpret_cast<void**>(&ds_), sizeof(float) * s.size()), "malloc");
    check_status(horkd_malloc(reinterpret_cast<void**>(&dt_), sizeof(float) * t.size()), "malloc");
    check_status(horkd_malloc(reinterpret_cast<void**>(&dg_), sizeof(float) * s.size()), "malloc");
    check_status(horkd_memcpy_h2d(ds_, s.data(), sizeof(float) * s.size(), nullptr), "h2d");
    check_status(horkd_memcpy_h2d(dt_, t.data(), sizeof(float) * t.size(), nullptr), "h2d");
    std::vector<float> zeros(s.size(), 0.f);
    check_status(horkd_memcpy_h2d(dg_, zeros.data(), sizeof(float) * s.size(), nullptr), "h2d");
    check_status(horkd_stream_synchronize(nullptr), "sync");
    check_status(horkd_relational(ws, ds_, dt_, 2, c.m, c.ds, c.dt, HORKD_DISTANCE_SQUARE, 0, 1, 0, nullptr, nullptr,
                                  v2b.data(), v3b.data(), dg_, nullptr), "device run");
    check_status(horkd_memcpy_d2h(gb.data(), dg_, sizeof(float) * s.size(), nullptr), "d2h");
    check_status(horkd_stream_synchronize(nullptr), "sync");
    expect(std::memcmp(v2a.data(), v2b.data(), sizeof(double) * 2) == 0 &&
               std::memcmp(v3a.data(), v3b.data(), sizeof(double) * 2) == 0,
           "device entry gives the host entry's values to the bit");
    expect(std::memcmp(ga.data(), gb.data(), sizeof(float) * ga.size()) == 0, "device entry gives the host entry's gradient to the bit");
    std::vector<float> gc(s.size(), 0.f);
    check_status(horkd_relational_host(ws, s.data(), t.data(), 2, c.m, c.ds, c.dt, HORKD_DISTANCE_SQUARE, 0, 1, 0,
                                       nullptr, nullptr, v2b.data(), v3b.data(), gc.data()), "host run 2");
    expect(std::memcmp(ga.data(), gc.data(), sizeof(float) * ga.size()) == 0, "run to run, the same bits");
    horkd_free(ds_);
    horkd_free(dt_);
    horkd_free(dg_);
    std::printf("ok   determinism and device entry\n");
}

void bad_input_is_named(horkd_workspace* ws) {
    std::vector<float> x(12, 1.f);
    std::vector<int> labels = {0, 1, 7, 1};
    double v;
    int st = horkd_center_host(ws, x.data(), x.data(), 1, 4, 3, 3, labels.data(), 3, nullptr, nullptr, nullptr, &v,
                               nullptr, nullptr);
    expect(st == HORKD_ERROR_INVALID_ARGUMENT && std::strstr(horkd_last_error(), "label 7 at flat index 2 is outside 0..2"),
           std::string("labels out of range are named: ") + horkd_last_error());
    st = horkd_relational_host(ws, x.data(), x.data(), 1, 0, 3, 3, HORKD_DISTANCE_SQUARE, 0, 0, 0, nullptr, nullptr, &v,
                               nullptr, nullptr);
    expect(st == HORKD_ERROR_INVALID_ARGUMENT, std::string("m = 0 is refused: ") + horkd_last_error());
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
    for (const Case& c : cases) relational_case(ws, c);
    for (const Case& c : cases) {
        if (c.m <= 1000) feature_case(ws, c);
    }
    determinism_and_device_entry(ws);
    bad_input_is_named(ws);
    long long dev = 0, pin = 0;
    horkd_workspace_bytes(ws, &dev, &pin);
    std::printf("%d checks, %d failures; workspace %lld MiB device, %lld MiB pinned\n", checks, failures, dev >> 20, pin >> 20);
    horkd_workspace_destroy(ws);
    return failures == 0 ? 0 : 1;
}
