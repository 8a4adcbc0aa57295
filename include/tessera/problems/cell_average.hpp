#pragma once
/// \file cell_average.hpp
/// Exact cell averages of separable profiles f(x) = prod_a g_a(x_a) on a block: the average
/// over a cell is the product of 1D averages, and along periodic axes the profile is summed
/// over its periodic images. Shared by the problems whose exact solutions are translated
/// (and possibly spread) separable pulses.
#include <array>
#include <cmath>
#include <vector>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

/// 1D cell averages along every axis of `b` (ghosted index, 1 on unused axes and ghosts) of a
/// profile centred at `centre[a]`: `integral(lo, hi, c)` is the integral over [lo, hi] of the
/// 1D profile centred at c. Along periodic axes the centre is wrapped into the domain and
/// `images` periodic images on each side are added.
template <typename Integral>
std::array<std::vector<double>, 3> separable_cell_averages(const Block& b, const MeshParams& mesh,
                                                           const std::array<double, 3>& centre,
                                                           int images, Integral&& integral) {
  std::array<std::vector<double>, 3> avg;
  for (int a = 0; a < 3; ++a) {
    avg[a].assign(b.dims()[a], 1.0);
    if (a >= mesh.ndim) continue;
    const double len = mesh.upper[a] - mesh.lower[a];
    double c = centre[a];
    if (mesh.periodic[a]) {
      c = mesh.lower[a] + std::fmod(std::fmod(c - mesh.lower[a], len) + len, len);
    }
    const int nimg = mesh.periodic[a] ? images : 0;
    for (int i = b.ng[a]; i < b.ng[a] + b.n[a]; ++i) {
      const double lo = b.lower[a] + (i - b.ng[a]) * b.dx[a];
      const double hi = lo + b.dx[a];
      double sum = 0.0;
      for (int m = -nimg; m <= nimg; ++m) sum += integral(lo, hi, c + m * len);
      avg[a][i] = sum / (hi - lo);
    }
  }
  return avg;
}

/// Integral over [lo, hi] of exp(-(x - c)^2 / (2 sigma^2)).
inline double gaussian_integral(double lo, double hi, double c, double sigma) {
  const double s = sigma * std::sqrt(2.0);
  return 0.5 * std::sqrt(M_PI) * s * (std::erf((hi - c) / s) - std::erf((lo - c) / s));
}

}  // namespace tessera
