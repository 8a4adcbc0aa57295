// Ideal-MHD Riemann solvers: properties they must have exactly (consistency, upwinding,
// HLLD's exact resolution of isolated contact and tangential discontinuities) and the fast
// speed against the closed-form speeds of the linear-wave background used in the regression
// cases (Stone et al. 2008: fast 2, slow 1/2).
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "tessera/numerics/riemann_mhd.hpp"

namespace tessera {
namespace {

using State = std::array<double, kMhdVars>;  // rho, vn, vt1, vt2, p, bt1, bt2

struct Face {
  PencilBuffer wl, wr, f;
  std::array<double, kMhdVars> flux(bool hlld, double g, double bn, const State& l,
                                    const State& r) {
    for (auto* b : {&wl, &wr, &f}) b->resize(kMhdVars, 1);
    for (int v = 0; v < kMhdVars; ++v) {
      wl(v)[0] = l[v];
      wr(v)[0] = r[v];
    }
    IdealGasEos eos{g};
    if (hlld) {
      riemann_mhd_hlld(eos, 1, &bn, wl, wr, f);
    } else {
      riemann_mhd_hlle(eos, 1, &bn, wl, wr, f);
    }
    std::array<double, kMhdVars> out{};
    for (int v = 0; v < kMhdVars; ++v) out[v] = f(v)[0];
    return out;
  }
};

/// The physical flux of a state (Miyoshi & Kusano 2005 eq. 3), written out independently.
std::array<double, kMhdVars> physical_flux(double g, double bx, const State& w) {
  const double r = w[0], u = w[1], v = w[2], z = w[3], p = w[4], by = w[5], bz = w[6];
  const double b2 = bx * bx + by * by + bz * bz, pt = p + 0.5 * b2;
  const double e = p / (g - 1.0) + 0.5 * r * (u * u + v * v + z * z) + 0.5 * b2;
  return {r * u,
          r * u * u + pt - bx * bx,
          r * u * v - bx * by,
          r * u * z - bx * bz,
          (e + pt) * u - bx * (u * bx + v * by + z * bz),
          by * u - bx * v,
          bz * u - bx * z};
}

TEST(MhdRiemann, FastSpeedOfTheLinearWaveBackground) {
  // rho = 1, p = 1/gamma (a = 1), B = (1, sqrt 2, 1/2): (l^2 - 1)(l^2 - 1) = 2.25 l^2 gives
  // l^2 = 4 and 1/4 exactly; fast_speed2 returns the larger root.
  const double g = 5.0 / 3.0;
  EXPECT_NEAR(fast_speed2(g, 1.0, 1.0 / g, 1.0, 1.0 + 2.0 + 0.25), 4.0, 1e-14);  // round-off
  // No field: the sound speed; field along the normal only: max(a, c_A).
  EXPECT_NEAR(fast_speed2(g, 2.0, 3.0, 0.0, 0.0), g * 3.0 / 2.0, 1e-14);
  EXPECT_NEAR(fast_speed2(g, 1.0, 1.0 / g, 2.0, 4.0), 4.0, 1e-14);
}

TEST(MhdRiemann, ConsistencyEqualStatesGiveThePhysicalFlux) {
  const double g = 5.0 / 3.0, bx = 0.7;
  const State w{1.3, 0.4, -0.2, 0.1, 0.9, 0.5, -0.3};
  const auto exact = physical_flux(g, bx, w);
  Face face;
  for (bool hlld : {false, true}) {
    const auto f = face.flux(hlld, g, bx, w, w);
    for (int v = 0; v < kMhdVars; ++v) {
      // Round-off of the star-state algebra on O(1) values.
      EXPECT_NEAR(f[v], exact[v], 1e-13) << (hlld ? "HLLD" : "HLLE") << " variable " << v;
    }
  }
}

TEST(MhdRiemann, SupersonicFlowTakesTheUpwindFlux) {
  // v_n = 10 exceeds every fast speed (< 3 here): the flux is the left state's, both ways.
  const double g = 1.4, bx = 0.5;
  const State l{1.0, 10.0, 0.3, 0.0, 1.0, 0.8, 0.2}, r{0.5, 10.0, -0.1, 0.2, 0.4, -0.6, 0.1};
  Face face;
  for (bool hlld : {false, true}) {
    const auto f = face.flux(hlld, g, bx, l, r);
    const auto fl = physical_flux(g, bx, l);
    for (int v = 0; v < kMhdVars; ++v) EXPECT_NEAR(f[v], fl[v], 1e-12) << v;
    // Mirror: flow to the left takes the right state's flux.
    State lm = r, rm = l;
    lm[1] = rm[1] = -10.0;
    const auto fm = face.flux(hlld, g, bx, lm, rm);
    const auto fr = physical_flux(g, bx, rm);
    for (int v = 0; v < kMhdVars; ++v) EXPECT_NEAR(fm[v], fr[v], 1e-12) << v;
  }
}

TEST(MhdRiemann, HlldResolvesAStationaryContactExactly) {
  // Density jump only, at rest, B_n != 0: HLLD (Miyoshi & Kusano sec. 4) gives zero mass
  // flux and the equilibrium momentum flux p_T - B_n^2; HLLE diffuses mass across it.
  const double g = 5.0 / 3.0, bx = 0.75;
  const State l{1.0, 0.0, 0.0, 0.0, 1.0, 0.6, 0.2}, r{0.1, 0.0, 0.0, 0.0, 1.0, 0.6, 0.2};
  Face face;
  const auto f = face.flux(true, g, bx, l, r);
  EXPECT_NEAR(f[0], 0.0, 1e-15);  // exact up to round-off
  EXPECT_NEAR(f[1], 1.0 + 0.5 * (bx * bx + 0.4) - bx * bx, 1e-14);
  EXPECT_NEAR(f[4], 0.0, 1e-15);
  const auto fe = face.flux(false, g, bx, l, r);
  EXPECT_GT(std::abs(fe[0]), 1e-3);  // HLLE's numerical diffusion (a property, not a bug)
}

TEST(MhdRiemann, HlldResolvesAStationaryTangentialDiscontinuity) {
  // B_n = 0, v = 0, total pressure continuous (p + B_t^2/2 = 1.5 on both sides): zero mass,
  // energy and transverse-field flux with HLLD.
  const double g = 5.0 / 3.0;
  const State l{1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0}, r{0.2, 0.0, 0.0, 0.0, 0.5, 0.0, std::sqrt(2.0)};
  Face face;
  const auto f = face.flux(true, g, 0.0, l, r);
  EXPECT_NEAR(f[0], 0.0, 1e-15);
  EXPECT_NEAR(f[1], 1.5, 1e-14);
  for (int v : {2, 3, 4, 5, 6}) EXPECT_NEAR(f[v], 0.0, 1e-15) << v;
}

}  // namespace
}  // namespace tessera
