// Slope limiters: hand-computed values, symmetry, and Sweby's second-order TVD region
// 0 <= phi(r) <= min(2r, 2), phi(1) = 1, phi(r) = 0 for r <= 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tessera/numerics/limiters.hpp"
#include "tessera/numerics/reconstruct.hpp"

namespace tessera {
namespace {

TEST(Limiters, MinmodHandValues) {
  EXPECT_EQ(Minmod::apply(1.0, 2.0), 1.0);
  EXPECT_EQ(Minmod::apply(2.0, 1.0), 1.0);
  EXPECT_EQ(Minmod::apply(-1.0, -3.0), -1.0);
  EXPECT_EQ(Minmod::apply(-0.5, -0.25), -0.25);
  EXPECT_EQ(Minmod::apply(1.0, -1.0), 0.0);
  EXPECT_EQ(Minmod::apply(-2.0, 3.0), 0.0);
  EXPECT_EQ(Minmod::apply(0.0, 5.0), 0.0);
  EXPECT_EQ(Minmod::apply(5.0, 0.0), 0.0);
  EXPECT_EQ(Minmod::apply(0.0, 0.0), 0.0);
  EXPECT_EQ(Minmod::apply(3.0, 3.0), 3.0);
}

TEST(Limiters, VanLeerHandValues) {
  // 2 dl dr / (dl + dr)
  EXPECT_EQ(VanLeer::apply(1.0, 3.0), 1.5);  // 6/4
  EXPECT_EQ(VanLeer::apply(1.0, 1.0), 1.0);
  EXPECT_EQ(VanLeer::apply(2.0, 6.0), 3.0);  // 24/8
  EXPECT_EQ(VanLeer::apply(-1.0, -3.0), -1.5);
  EXPECT_EQ(VanLeer::apply(1.0, -1.0), 0.0);
  EXPECT_EQ(VanLeer::apply(-4.0, 2.0), 0.0);
  EXPECT_EQ(VanLeer::apply(0.0, 1.0), 0.0);
  EXPECT_EQ(VanLeer::apply(1.0, 0.0), 0.0);
  EXPECT_EQ(VanLeer::apply(0.0, 0.0), 0.0);
}

TEST(Limiters, MonotonizedCentralHandValues) {
  // minmod(2 dl, 2 dr, (dl + dr)/2)
  EXPECT_EQ(MonotonizedCentral::apply(1.0, 3.0), 2.0);   // min(2, 6, 2)
  EXPECT_EQ(MonotonizedCentral::apply(1.0, 2.0), 1.5);   // min(2, 4, 1.5)
  EXPECT_EQ(MonotonizedCentral::apply(1.0, 10.0), 2.0);  // min(2, 20, 5.5)
  EXPECT_EQ(MonotonizedCentral::apply(1.0, 1.0), 1.0);
  EXPECT_EQ(MonotonizedCentral::apply(-1.0, -3.0), -2.0);
  EXPECT_EQ(MonotonizedCentral::apply(-1.0, -2.0), -1.5);
  EXPECT_EQ(MonotonizedCentral::apply(1.0, -2.0), 0.0);
  EXPECT_EQ(MonotonizedCentral::apply(-3.0, 1.0), 0.0);
  EXPECT_EQ(MonotonizedCentral::apply(0.0, 1.0), 0.0);
  EXPECT_EQ(MonotonizedCentral::apply(1.0, 0.0), 0.0);
  EXPECT_EQ(MonotonizedCentral::apply(0.0, 0.0), 0.0);
}

const std::vector<double> kSamples = {-7.5, -2.0, -1.0, -0.3, -1e-9, 0.0,  1e-9,
                                      0.25, 0.5,  1.0,  1.7,  3.0,   42.0, 1e6};

template <typename L>
void check_symmetric() {
  for (double a : kSamples)
    for (double b : kSamples) EXPECT_EQ(L::apply(a, b), L::apply(b, a)) << a << ", " << b;
}

template <typename L>
void check_odd() {
  // Mirroring the data flips the slope: L(-a, -b) = -L(a, b).
  for (double a : kSamples)
    for (double b : kSamples) EXPECT_EQ(L::apply(-a, -b), -L::apply(a, b)) << a << ", " << b;
}

template <typename L>
void check_tvd_region() {
  // phi(r) = slope / dl with r = dr / dl, for dl = +1 and dl = -1 (same phi).
  for (int n = -400; n <= 1200; ++n) {
    const double r = n / 100.0;
    for (double dl : {1.0, -1.0, 0.125}) {
      const double phi = L::apply(dl, r * dl) / dl;
      EXPECT_GE(phi, 0.0) << "r = " << r;
      EXPECT_LE(phi, 2.0) << "r = " << r;
      if (r > 0.0) {
        // 1e-15 relative: r * dl / dl and the limiter's own divisions round once each.
        EXPECT_LE(phi, 2.0 * r * (1.0 + 1e-15)) << "r = " << r;
      } else {
        EXPECT_EQ(phi, 0.0) << "r = " << r;
      }
    }
  }
  EXPECT_EQ(L::apply(1.0, 1.0), 1.0);  // phi(1) = 1: second order on smooth data
  EXPECT_EQ(L::apply(-0.5, -0.5), -0.5);
}

TEST(Limiters, Symmetry) {
  check_symmetric<Minmod>();
  check_symmetric<VanLeer>();
  check_symmetric<MonotonizedCentral>();
}

TEST(Limiters, OddInBothArguments) {
  check_odd<Minmod>();
  check_odd<VanLeer>();
  check_odd<MonotonizedCentral>();
}

TEST(Limiters, MinmodInTvdRegion) {
  check_tvd_region<Minmod>();
}
TEST(Limiters, VanLeerInTvdRegion) {
  check_tvd_region<VanLeer>();
}
TEST(Limiters, MonotonizedCentralInTvdRegion) {
  check_tvd_region<MonotonizedCentral>();
}

TEST(Limiters, KnownPhiCurves) {
  // phi(r) in closed form at a few r (dl = 1): minmod min(1, r); van Leer 2r/(1+r);
  // MC min(2r, (1+r)/2, 2).
  for (double r : {0.25, 0.5, 2.0, 4.0}) {
    EXPECT_EQ(Minmod::apply(1.0, r), std::min(1.0, r)) << r;
    EXPECT_EQ(VanLeer::apply(1.0, r), 2.0 * r / (1.0 + r)) << r;
    EXPECT_EQ(MonotonizedCentral::apply(1.0, r), std::min({2.0 * r, 0.5 * (1.0 + r), 2.0})) << r;
  }
}

TEST(Limiters, FromStringAndDispatch) {
  EXPECT_EQ(limiter_from_string("minmod"), LimiterKind::kMinmod);
  EXPECT_EQ(limiter_from_string("vanleer"), LimiterKind::kVanLeer);
  EXPECT_EQ(limiter_from_string("mc"), LimiterKind::kMC);
  auto slope = [](LimiterKind k) {
    return with_limiter(k, [](auto lim) { return decltype(lim)::apply(1.0, 3.0); });
  };
  EXPECT_EQ(slope(LimiterKind::kMinmod), 1.0);
  EXPECT_EQ(slope(LimiterKind::kVanLeer), 1.5);
  EXPECT_EQ(slope(LimiterKind::kMC), 2.0);
}

}  // namespace
}  // namespace tessera

namespace {

// Cell averages over [x_i - h/2, x_i + h/2] of a cubic p(x) = c0 + c1 x + c2 x^2 + c3 x^3,
// from its antiderivative (exact).
double cubic_average(const double* c, double xl, double xr) {
  auto prim = [&](double x) {
    return c[0] * x + c[1] * x * x / 2 + c[2] * x * x * x / 3 + c[3] * x * x * x * x / 4;
  };
  return (prim(xr) - prim(xl)) / (xr - xl);
}

}  // namespace

// Away from extrema PPM's face value is the fourth-order interpolant of the cell averages,
// which is exact for cubics (Colella & Woodward 1984 eq. 1.6): both one-sided states must
// equal p at the face to round-off, and no limiter may touch a monotone cubic.
TEST(Reconstruction, PpmExactForMonotoneCubic) {
  const double c[4] = {0.3, 1.0, 0.4, 0.05};  // p' = 1 + 0.8x + 0.15x^2 > 0: monotone
  const int ncell = 16;
  const double h = 0.1;
  std::vector<double> q(ncell);
  for (int i = 0; i < ncell; ++i) q[i] = cubic_average(c, i * h, (i + 1) * h);
  const int first = 3, n = ncell - 5;  // faces need three cells before and two after
  std::vector<double> ql(n), qr(n);
  tessera::reconstruct_ppm(q.data() + first, 1, n, ql.data(), qr.data());
  for (int f = 0; f < n; ++f) {
    const double x = (first + f) * h;
    const double exact = c[0] + c[1] * x + c[2] * x * x + c[3] * x * x * x;
    EXPECT_NEAR(ql[f], exact, 1e-13) << "face " << f;  // round-off of O(1) values
    EXPECT_NEAR(qr[f], exact, 1e-13) << "face " << f;
  }
}

// At a jump PPM must stay within the neighbouring cell values (no new extrema), and a
// constant state must come out unchanged. A y/z pencil (faces contiguous in memory, stencil
// along the row stride) must give the same values as the x pencil.
TEST(Reconstruction, PpmMonotoneAtJumpAndStrided) {
  const int ncell = 20;
  std::vector<double> q(ncell);
  for (int i = 0; i < ncell; ++i) q[i] = i < ncell / 2 ? 1.0 : 0.125;
  const int first = 3, n = ncell - 5;
  std::vector<double> ql(n), qr(n);
  tessera::reconstruct_ppm(q.data() + first, 1, n, ql.data(), qr.data());
  for (int f = 0; f < n; ++f) {
    const double a = q[first + f - 1], b = q[first + f];
    for (double v : {ql[f], qr[f]}) {
      EXPECT_GE(v, std::min(a, b) - 1e-15) << "face " << f;
      EXPECT_LE(v, std::max(a, b) + 1e-15) << "face " << f;
    }
    if (a == b && f >= 2 && f + 2 < n) {  // two cells from the jump: untouched by it
      EXPECT_EQ(ql[f], a);
      EXPECT_EQ(qr[f], a);
    }
  }
  // The same profile along the slow axis of a 4-wide array: every column is one x pencil.
  const int w = 4;
  std::vector<double> q2(static_cast<std::size_t>(ncell) * w);
  for (int i = 0; i < ncell; ++i)
    for (int c = 0; c < w; ++c) q2[i * w + c] = q[i];
  for (int f = 0; f < n; ++f) {
    std::vector<double> l2(w), r2(w);
    tessera::reconstruct_ppm(q2.data() + (first + f) * w, w, w, l2.data(), r2.data());
    for (int c = 0; c < w; ++c) {
      EXPECT_EQ(l2[c], ql[f]);
      EXPECT_EQ(r2[c], qr[f]);
    }
  }
}
