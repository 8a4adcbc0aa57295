// Slope limiters: hand-computed values, symmetry, and Sweby's second-order TVD region
// 0 <= phi(r) <= min(2r, 2), phi(1) = 1, phi(r) = 0 for r <= 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tessera/numerics/limiters.hpp"

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
