// Uniform gravity kernel shared by hydro and MHD (include/tessera/physics/gravity.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/physics/gravity.hpp"

namespace tessera {
namespace {

// The energy source -g (F_lo + F_hi)/2 and the potential energy change Phi drho/dt cancel in
// the sum over a closed row (zero flux through the two end faces) for ANY fluxes: summation by
// parts (Mullen, Hanawa & Gammie 2021). Random fluxes, so no special structure helps.
TEST(Gravity, EnergySourceTelescopesWithPotentialEnergy) {
  const int n = 200;
  const double dx = 1.0 / n, x0 = 0.3;
  UniformGravity grav;
  grav.g = 7.5;
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> flux(n + 1), rho(n), mom(n, 0.0), en(n, 0.0);
  for (auto& f : flux) f = u(gen);
  flux[0] = flux[n] = 0.0;  // closed walls
  for (auto& r : rho) r = 1.5 + u(gen);
  grav.add_row(n, rho.data(), flux.data(), flux.data() + 1, mom.data(), en.data());
  double total = 0.0, scale = 0.0;
  for (int i = 0; i < n; ++i) {
    const double phi = grav.g * (x0 + (i + 0.5) * dx);
    const double drho = -(flux[i + 1] - flux[i]) / dx;
    total += (en[i] + phi * drho) * dx;
    scale += (std::abs(en[i]) + std::abs(phi * drho)) * dx;
    // Momentum source: exactly -rho g.
    EXPECT_DOUBLE_EQ(mom[i], -grav.g * rho[i]);
  }
  // Round-off of ~4n additions of O(scale/n) terms.
  EXPECT_LT(std::abs(total), 1e-14 * scale) << "sum (S_E + Phi drho/dt) dx = " << total;
}

TEST(Gravity, DeckKeys) {
  auto cfg = Config::from_string("[physics.hydro]\ngravity = 2.5\n", "g.toml");
  const UniformGravity g = UniformGravity::from_config(cfg, "physics.hydro", 3);
  EXPECT_EQ(g.g, 2.5);
  EXPECT_EQ(g.axis, 2);  // default: the last used axis is vertical
  EXPECT_TRUE(g.active());
  auto off = Config::from_string("[physics.hydro]\n", "g.toml");
  EXPECT_FALSE(UniformGravity::from_config(off, "physics.hydro", 2).active());
  auto bad_axis = Config::from_string("[physics.mhd]\ngravity = 1.0\ngravity_axis = 3\n", "g.toml");
  EXPECT_THROW(UniformGravity::from_config(bad_axis, "physics.mhd", 2), ConfigError);
  auto negative = Config::from_string("[physics.mhd]\ngravity = -1.0\n", "g.toml");
  EXPECT_THROW(UniformGravity::from_config(negative, "physics.mhd", 2), ConfigError);
}

}  // namespace
}  // namespace tessera
