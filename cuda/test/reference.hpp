// A float64 CPU reference of the losses for the native tests: the same definitions and chain rules as
// java/core's ReferenceLosses (itself checked by finite differences), written for clarity and
// parallelised over vertices with OpenMP where available. Arrays are row-major [m x d].
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace ref {

using Mat = std::vector<double>;  // row-major

constexpr double kEps = 1e-12;

inline double huber(double x) {
    double a = std::fabs(x);
    return a < 1 ? 0.5 * x * x : a - 0.5;
}
inline double huber_d(double x) { return std::max(-1.0, std::min(1.0, x)); }

struct Result {
    double value = 0;
    Mat grad;   // dL/dstudent [m x ds]
    Mat gradp;  // dL/dP [dt x ds] (empty without a projection)
};

inline Mat squared_distances(const Mat& x, int m, int d) {
    Mat out(static_cast<size_t>(m) * m, 0.0);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < m; ++j) {
            double s = 0;
            for (int k = 0; k < d; ++k) {
                double t = x[i * d + k] - x[j * d + k];
                s += t * t;
            }
            out[static_cast<size_t>(i) * m + j] = s;
        }
    }
    return out;
}

inline Mat centred(const Mat& x, int m, int d) {
    std::vector<double> mean(d, 0.0);
    for (int i = 0; i < m; ++i)
        for (int k = 0; k < d; ++k) mean[k] += x[i * d + k];
    for (int k = 0; k < d; ++k) mean[k] /= m;
    Mat out(x.size());
    for (int i = 0; i < m; ++i)
        for (int k = 0; k < d; ++k) out[i * d + k] = x[i * d + k] - mean[k];
    return out;
}

inline Mat gram(const Mat& x, int m, int d) {
    Mat g(static_cast<size_t>(m) * m);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < m; ++j) {
            double s = 0;
            for (int k = 0; k < d; ++k) s += x[i * d + k] * x[j * d + k];
            g[static_cast<size_t>(i) * m + j] = s;
        }
    }
    return g;
}

// L2: square (huber = false) or Huber; divisor m(m-1) or m^2.
inline Result distance(const Mat& g, const Mat& f, int m, int ds, int dt, bool use_huber, double divisor) {
    Result r;
    r.grad.assign(static_cast<size_t>(m) * ds, 0.0);
    if (m < 2) return r;
    Mat sqg = squared_distances(g, m, ds), sqf = squared_distances(f, m, dt);
    Mat dg(sqg.size()), df(sqf.size());
    double sumg = 0, sumf = 0;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) {
            size_t at = static_cast<size_t>(i) * m + j;
            dg[at] = i == j ? 0 : std::sqrt(std::max(sqg[at], kEps));
            df[at] = i == j ? 0 : std::sqrt(std::max(sqf[at], kEps));
            sumg += dg[at];
            sumf += df[at];
        }
    const double pairs = static_cast<double>(m) * (m - 1);
    const double mug = sumg / pairs, muf = sumf / pairs;
    Mat a(sqg.size(), 0.0);
    double weighted = 0;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) {
            if (i == j) continue;
            size_t at = static_cast<size_t>(i) * m + j;
            double e = dg[at] / mug - df[at] / muf;
            r.value += use_huber ? huber(e) : e * e;
            a[at] = (use_huber ? huber_d(e) : 2 * e) / divisor;
            weighted += a[at] * dg[at] / mug;
        }
    r.value /= divisor;
    const double c = weighted / pairs;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) {
            size_t at = static_cast<size_t>(i) * m + j, ta = static_cast<size_t>(j) * m + i;
            if (i == j) continue;
            double sij = sqg[at] >= kEps ? (a[at] - c) / mug / (2 * dg[at]) : 0;
            double sji = sqg[ta] >= kEps ? (a[ta] - c) / mug / (2 * dg[ta]) : 0;
            double w = 2 * (sij + sji);
            for (int q = 0; q < ds; ++q) r.grad[i * ds + q] += w * (g[i * ds + q] - g[j * ds + q]);
        }
    return r;
}

// L3 with divisor m(m-1)(m-2) or m^3; the per-triplet chain rule of ReferenceLosses.angle.
inline Result angle(const Mat& g, const Mat& f, int m, int ds, int dt, double divisor) {
    Result r;
    r.grad.assign(static_cast<size_t>(m) * ds, 0.0);
    if (m < 3) return r;
    Mat gc = centred(g, m, ds);
    Mat gg = gram(gc, m, ds), gf = gram(centred(f, m, dt), m, dt);
    auto inverse = [m](const Mat& sq) {
        Mat out(sq.size(), 0.0);
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < m; ++j) {
                size_t at = static_cast<size_t>(i) * m + j;
                if (i != j && sq[at] >= kEps) out[at] = 1 / std::sqrt(sq[at]);
            }
        return out;
    };
    Mat rg = inverse(squared_distances(g, m, ds)), rf = inverse(squared_distances(f, m, dt));
    const size_t mm = static_cast<size_t>(m) * m;
    Mat dgram(mm, 0.0), dsq(mm, 0.0);
    double value = 0;
#pragma omp parallel
    {
        Mat my_dgram(mm, 0.0), my_dsq(mm, 0.0);
        double my_value = 0;
#pragma omp for schedule(static)
        for (int j = 0; j < m; ++j) {
            for (int i = 0; i < m; ++i) {
                if (i == j) continue;
                for (int k = 0; k < m; ++k) {
                    if (k == j || k == i) continue;
                    auto G = [m](const Mat& x, int p, int q) { return x[static_cast<size_t>(p) * m + q]; };
                    double numg = G(gg, i, k) - G(gg, i, j) - G(gg, k, j) + G(gg, j, j);
                    double numf = G(gf, i, k) - G(gf, i, j) - G(gf, k, j) + G(gf, j, j);
                    double rij = G(rg, i, j), rkj = G(rg, k, j);
                    double e = numg * rij * rkj - numf * G(rf, i, j) * G(rf, k, j);
                    my_value += huber(e);
                    double a = huber_d(e) / divisor;
                    double da = a * rij * rkj;
                    my_dgram[static_cast<size_t>(i) * m + k] += da;
                    my_dgram[static_cast<size_t>(i) * m + j] -= da;
                    my_dgram[static_cast<size_t>(k) * m + j] -= da;
                    my_dgram[static_cast<size_t>(j) * m + j] += da;
                    my_dsq[static_cast<size_t>(i) * m + j] += a * numg * rkj * (-0.5 * rij * rij * rij);
                    my_dsq[static_cast<size_t>(k) * m + j] += a * numg * rij * (-0.5 * rkj * rkj * rkj);
                }
            }
        }
#pragma omp critical
        {
            for (size_t q = 0; q < mm; ++q) {
                dgram[q] += my_dgram[q];
                dsq[q] += my_dsq[q];
            }
            value += my_value;
        }
    }
    r.value = value / divisor;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < m; ++j) {
            double w = dgram[static_cast<size_t>(i) * m + j] + dgram[static_cast<size_t>(j) * m + i];
            for (int q = 0; q < ds; ++q) r.grad[i * ds + q] += w * gc[j * ds + q];
            // dsq_ij moves g_i by +2 dsq_ij (g_i - g_j), dsq_ji by the same through g_i's other role
            double s = dsq[static_cast<size_t>(i) * m + j] + dsq[static_cast<size_t>(j) * m + i];
            if (i != j && s != 0) {
                for (int q = 0; q < ds; ++q) r.grad[i * ds + q] += 2 * s * (g[i * ds + q] - g[j * ds + q]);
            }
        }
    }
    return r;
}

inline Mat project(const Mat& g, const Mat& p, int m, int ds, int dt) {
    Mat x(static_cast<size_t>(m) * dt, 0.0);
    for (int i = 0; i < m; ++i)
        for (int k = 0; k < dt; ++k) {
            double s = 0;
            for (int q = 0; q < ds; ++q) s += p[k * ds + q] * g[i * ds + q];
            x[i * dt + k] = s;
        }
    return x;
}

inline void through_projection(Result& r, const Mat& dx, const Mat& g, const Mat* p, int m, int ds, int dt) {
    if (!p) {
        r.grad = dx;
        return;
    }
    r.grad.assign(static_cast<size_t>(m) * ds, 0.0);
    r.gradp.assign(static_cast<size_t>(dt) * ds, 0.0);
    for (int i = 0; i < m; ++i)
        for (int k = 0; k < dt; ++k) {
            double v = dx[i * dt + k];
            for (int q = 0; q < ds; ++q) {
                r.grad[i * ds + q] += v * (*p)[k * ds + q];
                r.gradp[k * ds + q] += v * g[i * ds + q];
            }
        }
}

inline Result pointwise(const Mat& g, const Mat& f, const Mat* p, int m, int ds, int dt, bool mse) {
    Mat x = p ? project(g, *p, m, ds, dt) : g;
    const double n = static_cast<double>(m) * dt;
    Mat dx(x.size());
    Result r;
    for (size_t q = 0; q < x.size(); ++q) {
        double diff = x[q] - f[q];
        r.value += mse ? diff * diff : std::fabs(diff);
        dx[q] = (mse ? 2 * diff : (diff > 0) - (diff < 0)) / n;
    }
    r.value /= n;
    through_projection(r, dx, g, p, m, ds, dt);
    return r;
}

// LC; centers null: batch scope over the classes present in labels.
inline Result center(const Mat& g, const Mat& f, const Mat* p, const Mat* centers, const std::vector<int>& labels, int m,
                     int ds, int dt, int classes) {
    Mat u;
    int cn;
    if (centers) {
        u = *centers;
        cn = classes;
    } else {
        std::vector<int> count(classes, 0);
        Mat sum(static_cast<size_t>(classes) * dt, 0.0);
        for (int i = 0; i < m; ++i) {
            ++count[labels[i]];
            for (int k = 0; k < dt; ++k) sum[labels[i] * dt + k] += f[i * dt + k];
        }
        cn = 0;
        for (int c = 0; c < classes; ++c) {
            if (!count[c]) continue;
            for (int k = 0; k < dt; ++k) u.push_back(sum[c * dt + k] / count[c]);
            ++cn;
        }
    }
    Mat x = p ? project(g, *p, m, ds, dt) : g;
    const double n = static_cast<double>(m) * cn;
    Mat dx(x.size(), 0.0);
    Result r;
    for (int i = 0; i < m; ++i)
        for (int c = 0; c < cn; ++c) {
            double sx = 0, sf = 0;
            for (int k = 0; k < dt; ++k) {
                sx += (x[i * dt + k] - u[c * dt + k]) * (x[i * dt + k] - u[c * dt + k]);
                sf += (f[i * dt + k] - u[c * dt + k]) * (f[i * dt + k] - u[c * dt + k]);
            }
            double dX = std::sqrt(std::max(sx, kEps));
            double diff = dX - std::sqrt(std::max(sf, kEps));
            r.value += diff * diff;
            if (sx >= kEps) {
                double w = 2 * diff / n / dX;
                for (int k = 0; k < dt; ++k) dx[i * dt + k] += w * (x[i * dt + k] - u[c * dt + k]);
            }
        }
    r.value /= n;
    through_projection(r, dx, g, p, m, ds, dt);
    return r;
}

// Resolution-aware distillation's MMD^2 of x = P g (or g) against f, the bandwidth held constant.
inline Result mmd(const Mat& g, const Mat& f, const Mat* p, int m, int ds, int dt) {
    Mat x = p ? project(g, *p, m, ds, dt) : g;
    auto sq = [&](const double* a, const double* b) {
        double s = 0;
        for (int k = 0; k < dt; ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
        return s;
    };
    auto point = [&](int a) { return a < m ? &x[static_cast<size_t>(a) * dt] : &f[static_cast<size_t>(a - m) * dt]; };
    const int n = 2 * m;
    double beta = 0;
    for (int a = 0; a < n; ++a)
        for (int c = 0; c < n; ++c)
            if (a != c) beta += sq(point(a), point(c));
    beta /= static_cast<double>(n) * (n - 1);
    const double scales[5] = {0.25, 0.5, 1, 2, 4};
    auto kernel = [&](double d) {
        double k = 0;
        for (double s : scales) k += std::exp(-d / (s * beta));
        return k;
    };
    auto slope = [&](double d) {
        double k = 0;
        for (double s : scales) k -= std::exp(-d / (s * beta)) / (s * beta);
        return k;
    };
    Mat dx(static_cast<size_t>(m) * dt, 0.0);
    Result r;
    if (beta > 0) {
        for (int a = 0; a < m; ++a)
            for (int j = 0; j < m; ++j) {
                double dxx = sq(point(a), point(j)), dff = sq(point(m + a), point(m + j)), dxf = sq(point(a), point(m + j));
                r.value += kernel(dxx) + kernel(dff) - 2 * kernel(dxf);
                for (int k = 0; k < dt; ++k)
                    dx[a * dt + k] += 4.0 / (static_cast<double>(m) * m) *
                                      (slope(dxx) * (x[a * dt + k] - x[j * dt + k]) - slope(dxf) * (x[a * dt + k] - f[j * dt + k]));
            }
        r.value /= static_cast<double>(m) * m;
    }
    through_projection(r, dx, g, p, m, ds, dt);
    if (p && beta == 0) r.gradp.assign(static_cast<size_t>(dt) * ds, 0.0);
    return r;
}

// Resolution-aware distillation's pair-wise constraint: mean over i != j of (cos g_ij - cos f_ij)^2.
inline Result cosine_constraint(const Mat& g, const Mat& f, int m, int ds, int dt) {
    auto normalised = [](const Mat& x, int m, int d, std::vector<double>& norms) {
        Mat out(x.size());
        norms.assign(m, 0.0);
        for (int i = 0; i < m; ++i) {
            double s = 0;
            for (int k = 0; k < d; ++k) s += x[i * d + k] * x[i * d + k];
            norms[i] = std::sqrt(s);
            for (int k = 0; k < d; ++k) out[i * d + k] = x[i * d + k] / std::max(norms[i], kEps);
        }
        return out;
    };
    std::vector<double> gn, fn;
    Mat gh = normalised(g, m, ds, gn), fh = normalised(f, m, dt, fn);
    Result r;
    r.grad.assign(static_cast<size_t>(m) * ds, 0.0);
    if (m < 2) return r;
    const double pairs = static_cast<double>(m) * (m - 1);
    for (int i = 0; i < m; ++i) {
        std::vector<double> e(ds, 0.0);
        for (int j = 0; j < m; ++j) {
            if (i == j) continue;
            double cs = 0, ct = 0;
            for (int k = 0; k < ds; ++k) cs += gh[i * ds + k] * gh[j * ds + k];
            for (int k = 0; k < dt; ++k) ct += fh[i * dt + k] * fh[j * dt + k];
            double diff = cs - ct;
            r.value += diff * diff / pairs;
            for (int k = 0; k < ds; ++k) e[k] += 4 * diff / pairs * gh[j * ds + k];
        }
        double dot = 0;
        for (int k = 0; k < ds; ++k) dot += gh[i * ds + k] * e[k];
        for (int k = 0; k < ds; ++k)
            r.grad[i * ds + k] = gn[i] <= kEps ? e[k] / kEps : (e[k] - gh[i * ds + k] * dot) / gn[i];
    }
    return r;
}

inline Result hinton(const Mat& s, const Mat& t, int m, int classes, double temperature) {
    Result r;
    r.grad.assign(s.size(), 0.0);
    for (int i = 0; i < m; ++i) {
        auto logsm = [&](const Mat& z) {
            std::vector<double> out(classes);
            double mx = -INFINITY, sum = 0;
            for (int c = 0; c < classes; ++c) mx = std::max(mx, z[i * classes + c] / temperature);
            for (int c = 0; c < classes; ++c) sum += std::exp(z[i * classes + c] / temperature - mx);
            for (int c = 0; c < classes; ++c) out[c] = z[i * classes + c] / temperature - mx - std::log(sum);
            return out;
        };
        auto ls = logsm(s), lt = logsm(t);
        for (int c = 0; c < classes; ++c) {
            double pt = std::exp(lt[c]);
            if (pt > 0) r.value += pt * (lt[c] - ls[c]);
            r.grad[i * classes + c] = temperature / m * (std::exp(ls[c]) - pt);
        }
    }
    r.value *= temperature * temperature / m;
    return r;
}

}  // namespace ref
