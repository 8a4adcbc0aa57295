#pragma once
/// \file reconstruct.hpp
/// Reconstruction of face values over a pencil of faces, for any axis.
///
/// A pencil is a row of faces that is contiguous in x: face i (0 <= i < n) lies between the
/// cells at q + i - s and q + i, where `s` is the memory stride along the reconstruction axis
/// (1 for x faces; a row or plane stride for y and z faces, whose pencils are still x-rows).
/// So the same unit-stride loop serves every axis and vectorises. Each primitive variable is
/// reconstructed on its own (component-wise), which MHD reuses for its extra variables.
#include <cstddef>

#include "tessera/numerics/limiters.hpp"

namespace tessera {

enum class ReconstructionKind { kDonor, kPLM };

/// Piecewise-linear (MUSCL) face values (van Leer 1979) with slope limiter `Lim`
/// (numerics/limiters.hpp): ql[i] = q[i-s] + slope(i-s)/2, qr[i] = q[i] - slope(i)/2.
/// Needs two cells on each side of every face.
template <typename Lim>
inline void reconstruct_plm(const double* __restrict q, std::ptrdiff_t s, int n,
                            double* __restrict ql, double* __restrict qr) {
  for (int i = 0; i < n; ++i) {
    const double um2 = q[i - 2 * s], um1 = q[i - s], u0 = q[i], up1 = q[i + s];
    ql[i] = um1 + 0.5 * Lim::apply(um1 - um2, u0 - um1);
    qr[i] = u0 - 0.5 * Lim::apply(u0 - um1, up1 - u0);
  }
}

/// Piecewise-constant (donor-cell, first-order Godunov) face values.
inline void reconstruct_donor(const double* __restrict q, std::ptrdiff_t s, int n,
                              double* __restrict ql, double* __restrict qr) {
  for (int i = 0; i < n; ++i) {
    ql[i] = q[i - s];
    qr[i] = q[i];
  }
}

/// Dispatch on the reconstruction kind (the limiter is a template parameter).
template <typename Lim>
inline void reconstruct_faces(ReconstructionKind k, const double* q, std::ptrdiff_t s, int n,
                              double* ql, double* qr) {
  if (k == ReconstructionKind::kPLM) {
    reconstruct_plm<Lim>(q, s, n, ql, qr);
  } else {
    reconstruct_donor(q, s, n, ql, qr);
  }
}

}  // namespace tessera
