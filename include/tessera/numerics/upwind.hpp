#pragma once
/// \file upwind.hpp
/// The second-order TVD (MUSCL) upwind advection kernel shared by every module that advects
/// a scalar (advection, convdiff, ...): one kernel for every axis, any slope limiter, any
/// face velocity (constant, or varying in space and time).
#include <algorithm>
#include <cstddef>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

/// Adds -(F[i+1/2] - F[i-1/2]) / dx along `Axis` to rhs component `rc` on the interior of
/// `b`, with F the upwind flux of limited MUSCL face states of u component `uc` (van Leer
/// 1979; the exact Riemann solution for linear advection). `vel(p)` is the velocity normal to
/// the face between cells p - stride and p (flat ghosted index) [length/time]; `flux` is
/// scratch shaped like u (component 0 used). `first_order`: donor cell (no slopes).
/// Needs two ghost layers of u along Axis.
template <int Axis, typename Lim, typename FaceVelocity>
void add_upwind_divergence(const Block& b, const Array4& u, int uc, Array4& rhs, int rc,
                           Array4& flux, FaceVelocity&& vel, bool first_order) {
  const std::ptrdiff_t s = u.stride(Axis);
  const double* q = u.comp(uc);
  double* f = flux.comp(0);
  double* r = rhs.comp(rc);
  const double half = first_order ? 0.0 : 0.5;
  IndexBox faces = b.interior();
  faces.hi[Axis] += 1;
  const int nx = u.n(0), ny = u.n(1);
  for (int k = faces.lo[2]; k < faces.hi[2]; ++k) {
    for (int j = faces.lo[1]; j < faces.hi[1]; ++j) {
      const std::ptrdiff_t row = (static_cast<std::ptrdiff_t>(k) * ny + j) * nx;
      for (int i = faces.lo[0]; i < faces.hi[0]; ++i) {
        const std::ptrdiff_t p = row + i;  // face between cells p - s and p
        const double um2 = q[p - 2 * s], um1 = q[p - s], u0 = q[p], up1 = q[p + s];
        const double ul = um1 + half * Lim::apply(um1 - um2, u0 - um1);
        const double ur = u0 - half * Lim::apply(u0 - um1, up1 - u0);
        const double v = vel(p);
        f[p] = std::max(v, 0.0) * ul + std::min(v, 0.0) * ur;
      }
    }
  }
  const double inv_dx = 1.0 / b.dx[Axis];
  const IndexBox in = b.interior();
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      const std::ptrdiff_t row = (static_cast<std::ptrdiff_t>(k) * ny + j) * nx;
      for (int i = in.lo[0]; i < in.hi[0]; ++i) {
        const std::ptrdiff_t p = row + i;
        r[p] -= (f[p + s] - f[p]) * inv_dx;
      }
    }
  }
}

}  // namespace tessera
