#pragma once
/// \file plane_wave.hpp
/// Geometry of the linear-wave problems (hydro and MHD): the wave vector along the box
/// diagonal over the used axes, and an orthonormal wave frame (n, t1, t2).
#include <array>
#include <cmath>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

/// Plane wave k = 2 pi (1/L_x, 1/L_y, 1/L_z) over the ndim used axes (0 on the others), so the
/// wave is periodic in the box whatever the dimension.
struct PlaneWaveFrame {
  std::array<double, 3> k{0.0, 0.0, 0.0};  ///< wave vector [1/L]
  double kmag = 1.0;                       ///< |k| [1/L]
  std::array<double, 3> n{}, t1{}, t2{};   ///< unit normal, transverse (x-y plane), n x t1

  explicit PlaneWaveFrame(const MeshParams& mesh) {
    for (int a = 0; a < mesh.ndim; ++a) k[a] = 2.0 * M_PI / (mesh.upper[a] - mesh.lower[a]);
    kmag = std::sqrt(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]);
    for (int a = 0; a < 3; ++a) n[a] = k[a] / kmag;
    // t1 in the x-y plane (along y in 1D), t2 = n x t1 completes the right-handed frame.
    if (mesh.ndim == 1) {
      t1 = {0.0, 1.0, 0.0};
    } else {
      const double h = std::hypot(n[0], n[1]);
      t1 = {-n[1] / h, n[0] / h, 0.0};
    }
    t2 = {n[1] * t1[2] - n[2] * t1[1], n[2] * t1[0] - n[0] * t1[2], n[0] * t1[1] - n[1] * t1[0]};
  }
};

}  // namespace tessera
