#pragma once
/// \file primitives.hpp
/// Conserved -> primitive conversion and density/pressure floors for ideal-gas flow over
/// contiguous cells (shared by the hydro and MHD modules).
#include <cstddef>

namespace tessera {

/// Converts n cells of (rho, m_x, m_y, m_z, E) to (rho, v_x, v_y, v_z, p) with
/// p = (gamma - 1)(E - m.v/2 [- B^2/2]). With kMagnetic the cell-centred field (bx, by, bz)
/// is subtracted as magnetic energy (total-energy MHD); without it those arrays are unused.
/// `w` holds the five output arrays. Vectorised straight-line loop.
template <bool kMagnetic>
inline void conserved_to_primitive(std::size_t n, double gm1, const double* __restrict rho,
                                   const double* __restrict mx, const double* __restrict my,
                                   const double* __restrict mz, const double* __restrict en,
                                   const double* __restrict bx, const double* __restrict by,
                                   const double* __restrict bz, double* const* w) {
  double* __restrict wr = w[0];
  double* __restrict wx = w[1];
  double* __restrict wy = w[2];
  double* __restrict wz = w[3];
  double* __restrict wp = w[4];
  for (std::size_t q = 0; q < n; ++q) {
    const double r = rho[q], ir = 1.0 / r;
    const double vx = mx[q] * ir, vy = my[q] * ir, vz = mz[q] * ir;
    wr[q] = r;
    wx[q] = vx;
    wy[q] = vy;
    wz[q] = vz;
    if constexpr (kMagnetic) {
      wp[q] = gm1 * (en[q] - 0.5 * (mx[q] * vx + my[q] * vy + mz[q] * vz) -
                     0.5 * (bx[q] * bx[q] + by[q] * by[q] + bz[q] * bz[q]));
    } else {
      wp[q] = gm1 * (en[q] - 0.5 * (mx[q] * vx + my[q] * vy + mz[q] * vz));
    }
  }
}

/// Density and pressure floors on n contiguous cells (after an RK stage): a positive density
/// below rho_floor is raised to it; a gas pressure below p_floor (> 0) is raised by adding
/// internal energy, E = p_floor/(gamma - 1) + kinetic [+ magnetic] energy, keeping momentum
/// (and B). A non-positive density is left alone: it is a failure for check_state. Counts the
/// lifted densities and raised pressures in nr, np (sums of 0/1: exact in any order).
/// Branch-free so it vectorises. With kMagnetic, (bx, by, bz) is the cell-centred field.
template <bool kMagnetic>
inline void apply_floors(std::size_t n, double gm1, double rho_floor, double p_floor,
                         double* __restrict rho, const double* __restrict mx,
                         const double* __restrict my, const double* __restrict mz,
                         double* __restrict en, const double* __restrict bx,
                         const double* __restrict by, const double* __restrict bz, double& nr,
                         double& np) {
  const double e_floor = p_floor / gm1;
  double cr = 0.0, cp = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r0 = rho[i];
    const bool lift = r0 > 0.0 && r0 < rho_floor;
    const double r = lift ? rho_floor : r0;
    double nonthermal = 0.5 * (mx[i] * mx[i] + my[i] * my[i] + mz[i] * mz[i]) / r;
    if constexpr (kMagnetic) nonthermal += 0.5 * (bx[i] * bx[i] + by[i] * by[i] + bz[i] * bz[i]);
    const double p = gm1 * (en[i] - nonthermal);
    const bool raise = r > 0.0 && p < p_floor && p_floor > 0.0;
    rho[i] = r;
    en[i] = raise ? e_floor + nonthermal : en[i];
    cr += lift ? 1.0 : 0.0;
    cp += raise ? 1.0 : 0.0;
  }
  nr += cr;
  np += cp;
}

}  // namespace tessera
