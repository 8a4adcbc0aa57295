#pragma once
/// \file reconstruct.hpp
/// Reconstruction of face values over a pencil of faces, for any axis.
///
/// A pencil is a row of faces that is contiguous in x: face i (0 <= i < n) lies between the
/// cells at q + i - s and q + i, where `s` is the memory stride along the reconstruction axis
/// (1 for x faces; a row or plane stride for y and z faces, whose pencils are still x-rows).
/// So the same unit-stride loop serves every axis and vectorises. Each primitive variable is
/// reconstructed on its own (component-wise), which MHD reuses for its extra variables.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "tessera/numerics/limiters.hpp"

namespace tessera {

enum class ReconstructionKind { kDonor, kPLM, kPPM };

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

namespace ppm {

/// Colella & Sekora (2008) eq. 18 / McCorquodale & Colella (2011) eq. 22: how far the
/// limited second derivative may exceed its neighbours' before it is clipped.
constexpr double kC = 1.25;

inline double sign(double x) {
  return std::copysign(1.0, x);
}

/// Value at the face between cells q0 and q1: the fourth-order interpolant of the cell
/// averages (Colella & Woodward 1984 eq. 1.6 on a uniform grid), limited only where it leaves
/// [q0, q1], by the smooth-extremum-preserving rule of Colella & Sekora (2008) eqs. 16-18.
inline double edge(double qm1, double q0, double q1, double q2) {
  const double a = (7.0 / 12.0) * (q0 + q1) - (1.0 / 12.0) * (qm1 + q2);
  const double d2a = 3.0 * (q0 - 2.0 * a + q1);
  const double d2l = qm1 - 2.0 * q0 + q1, d2r = q0 - 2.0 * q1 + q2;
  const double sg = sign(d2a);
  const bool same = sg == sign(d2l) && sg == sign(d2r);
  const double d2lim =
      same ? sg * std::min({kC * std::abs(d2l), kC * std::abs(d2r), std::abs(d2a)}) : 0.0;
  return (a - q0) * (q1 - a) < 0.0 ? 0.5 * (q0 + q1) - d2lim / 3.0 : a;
}

/// Limits the parabola of the cell with average q0 (neighbours qm2..qp2) and edge values
/// al, ar in place. At an extremum of the edges or of the cell averages the parabola's
/// curvature is scaled down to the limited second derivative, which keeps smooth extrema
/// second-order accurate (Colella & Sekora 2008 eqs. 19-22); elsewhere the monotonicity
/// constraint of Colella & Woodward (1984) eq. 1.10 removes overshoots.
inline void cell(double qm2, double qm1, double q0, double qp1, double qp2, double& al,
                 double& ar) {
  const bool extremum = (ar - q0) * (q0 - al) <= 0.0 || (qm1 - q0) * (q0 - qp1) <= 0.0;
  const double d2 = -2.0 * (6.0 * q0 - 3.0 * (al + ar));
  const double d2c = qm1 - 2.0 * q0 + qp1, d2l = qm2 - 2.0 * qm1 + q0, d2r = q0 - 2.0 * qp1 + qp2;
  const double sg = sign(d2);
  const bool same = sg == sign(d2c) && sg == sign(d2l) && sg == sign(d2r);
  const double d2lim = same ? sg * std::min({kC * std::abs(d2c), kC * std::abs(d2l),
                                             kC * std::abs(d2r), std::abs(d2)})
                            : 0.0;
  // d2 = 0 means al - q0 = q0 - ar: a linear profile through an extremum, which is flattened.
  const double ratio = d2 != 0.0 ? d2lim / d2 : 0.0;
  const double al_x = q0 + (al - q0) * ratio, ar_x = q0 + (ar - q0) * ratio;
  const double dq = ar - al, q6 = 6.0 * q0 - 3.0 * (al + ar);
  const double al_m = dq * q6 > dq * dq ? 3.0 * q0 - 2.0 * ar : al;
  const double ar_m = -dq * dq > dq * q6 ? 3.0 * q0 - 2.0 * al : ar;
  al = extremum ? al_x : al_m;
  ar = extremum ? ar_x : ar_m;
}

}  // namespace ppm

/// Piecewise-parabolic face values (Colella & Woodward 1984) with the smooth-extremum-
/// preserving limiter of Colella & Sekora (2008): third-order face values, no clipping of
/// smooth extrema, monotone at discontinuities. Needs three cells before and two after each
/// face (mesh.ghost >= 3). Branch-free (selects only) so the loop vectorises.
inline void reconstruct_ppm(const double* __restrict q, std::ptrdiff_t s, int n,
                            double* __restrict ql, double* __restrict qr) {
  for (int i = 0; i < n; ++i) {
    const double qm3 = q[i - 3 * s], qm2 = q[i - 2 * s], qm1 = q[i - s], q0 = q[i], qp1 = q[i + s],
                 qp2 = q[i + 2 * s];
    // Edges of the two cells beside face i: e0 is the face itself.
    const double em1 = ppm::edge(qm3, qm2, qm1, q0);
    const double e0 = ppm::edge(qm2, qm1, q0, qp1);
    const double ep1 = ppm::edge(qm1, q0, qp1, qp2);
    double al_left = em1, ar_left = e0, al_right = e0, ar_right = ep1;
    ppm::cell(qm3, qm2, qm1, q0, qp1, al_left, ar_left);
    ppm::cell(qm2, qm1, q0, qp1, qp2, al_right, ar_right);
    ql[i] = ar_left;
    qr[i] = al_right;
  }
}

/// Ghost cells a reconstruction needs on each side of the interior.
constexpr int reconstruction_ghost(ReconstructionKind k) {
  return k == ReconstructionKind::kPPM ? 3 : 2;
}

/// Dispatch on the reconstruction kind (the limiter is a template parameter; PPM has its own).
template <typename Lim>
inline void reconstruct_faces(ReconstructionKind k, const double* q, std::ptrdiff_t s, int n,
                              double* ql, double* qr) {
  if (k == ReconstructionKind::kPLM) {
    reconstruct_plm<Lim>(q, s, n, ql, qr);
  } else if (k == ReconstructionKind::kPPM) {
    reconstruct_ppm(q, s, n, ql, qr);
  } else {
    reconstruct_donor(q, s, n, ql, qr);
  }
}

}  // namespace tessera
