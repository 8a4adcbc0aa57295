#pragma once
/// \file primitives.hpp
/// Conserved -> primitive conversion for ideal-gas flow over contiguous cells (shared by the
/// hydro and MHD modules).
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

}  // namespace tessera
