#pragma once
/// \file fallback.hpp
/// First-order fallback for reconstructed face states (shared by the hydro and MHD modules).
#include <cstddef>
#include <vector>

#include "tessera/numerics/riemann.hpp"

namespace tessera {

/// Replaces both face states of the first `nvar` pencil variables by the adjacent cell-centre
/// states wherever either reconstructed state has a non-positive density (variable 0) or
/// pressure (variable 4, HydroVar/MhdVar layout). `wsrc[v] + base` is the cell value behind
/// face 0 of variable v, `s` the stride along the face normal. The detection pass is
/// branch-free and vectorised; the rewrite runs only for the rare pencils that need it.
/// Returns the number of faces that fell back.
inline double fallback_to_first_order(const double* const* wsrc, std::ptrdiff_t base,
                                      std::ptrdiff_t s, int n, int nvar, PencilBuffer& wl,
                                      PencilBuffer& wr) {
  const double* __restrict rl = wl(HydroVar::kRho);
  const double* __restrict pl = wl(HydroVar::kP);
  const double* __restrict rr = wr(HydroVar::kRho);
  const double* __restrict pr = wr(HydroVar::kP);
  double bad_count = 0.0;
  for (int i = 0; i < n; ++i) {
    bad_count += (rl[i] > 0.0 && pl[i] > 0.0 && rr[i] > 0.0 && pr[i] > 0.0) ? 0.0 : 1.0;
  }
  if (bad_count == 0.0) return 0.0;  // the common case: one cheap pass, no rewrite
  // Compute the mask once, then rewrite every variable.
  std::vector<unsigned char> bad(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) bad[i] = !(rl[i] > 0.0 && pl[i] > 0.0 && rr[i] > 0.0 && pr[i] > 0.0);
  for (int v = 0; v < nvar; ++v) {
    double* ql = wl(v);
    double* qr = wr(v);
    const double* q = wsrc[v] + base;
    for (int i = 0; i < n; ++i) {
      if (bad[i]) {
        ql[i] = q[i - s];
        qr[i] = q[i];
      }
    }
  }
  return bad_count;
}

}  // namespace tessera
