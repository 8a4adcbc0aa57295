#pragma once
/// \file gravity.hpp
/// Uniform gravity for the compressible-flow modules (hydro and MHD share this one kernel):
/// acceleration g >= 0 [L/T^2] along -x_a, potential Phi = g x_a.
///
/// Sources (Mullen, Hanawa & Gammie 2021, ApJS 252, 30, sec. 2; the Athena++ approach):
/// momentum d(rho v_a)/dt += -rho g (cell-centred rho); energy dE/dt += -g (F_rho,lo + F_rho,hi)/2
/// with F_rho the Riemann solver's mass fluxes through the cell's two a-faces. Summation by
/// parts shows that sum_cells (E + rho Phi) dV then changes only by fluxes through the domain
/// boundary: with zero mass flux through closed walls (and periodic sides), total energy
/// including the potential energy is conserved to round-off. The cell-centred form
/// -rho v_a g would not be (its error is the truncation error of the mass flux).
#include <string>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

class Config;

/// Uniform gravitational field read from a module's deck section.
struct UniformGravity {
  double g = 0.0;  ///< magnitude [L/T^2]; 0: no gravity
  int axis = 0;    ///< 0-based axis; gravity points to -x_(axis+1)
  int ndim = 1;    ///< mesh dimension (for cell volumes)

  /// Reads `<section>.gravity` (g >= 0, default 0) and `<section>.gravity_axis` (1..ndim,
  /// default ndim: the last used axis is "vertical").
  static UniformGravity from_config(const Config& cfg, const std::string& section, int ndim);
  bool active() const noexcept { return g > 0.0; }
  /// Potential Phi = g x_axis [L^2/T^2] at cell (k, j, i) of b (cell centre).
  double potential(const Block& b, int k, int j, int i) const {
    const int idx[3] = {i, j, k};
    return g * b.center(axis, idx[axis]);
  }
  /// The source kernel on one x-row of n cells: mom[q] += -g rho[q],
  /// en[q] += -g (mass_lo[q] + mass_hi[q]) / 2, with mass_lo / mass_hi the mass fluxes through
  /// the lower / upper `axis`-faces of cell q. Called by hydro and MHD from their flux loops.
  void add_row(int n, const double* __restrict rho, const double* __restrict mass_lo,
               const double* __restrict mass_hi, double* __restrict mom,
               double* __restrict en) const {
    const double hg = 0.5 * g;
    for (int q = 0; q < n; ++q) {
      mom[q] -= g * rho[q];
      en[q] -= hg * (mass_lo[q] + mass_hi[q]);
    }
  }
  /// Integral of rho Phi over the interior of b (rho: field with the density in component 0).
  double potential_energy(const Block& b, const Array4& rho) const;
};

}  // namespace tessera
