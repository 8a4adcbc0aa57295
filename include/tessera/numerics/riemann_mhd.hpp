#pragma once
/// \file riemann_mhd.hpp
/// Riemann solvers for ideal MHD over a pencil of faces (same structure-of-arrays pencil
/// convention as numerics/riemann.hpp, with two more variables).
///
/// Face states hold, in the frame of the face: density, normal velocity, the two transverse
/// velocities (cyclic order a+1, a+2 mod 3 for a face normal to axis a), gas pressure and the
/// two transverse magnetic-field components. The normal field B_n is not a Riemann variable:
/// with constrained transport it is the face-centred value, passed as its own array. Fluxes
/// come back in the same layout: mass, normal momentum, transverse momenta, total energy and
/// the fluxes of the two transverse field components (v_n B_t - B_n v_t, i.e. the face EMFs).
/// Magnetic units absorb sqrt(4 pi) (Heaviside-Lorentz-like code units): magnetic pressure is
/// B^2/2 and the Alfven speed B/sqrt(rho).
#include <cmath>
#include <string>

#include "tessera/numerics/eos.hpp"
#include "tessera/numerics/riemann.hpp"

namespace tessera {

/// Pencil variables of ideal MHD. The first five coincide with HydroVar, so hydro helpers that
/// work on (rho, vn, vt1, vt2, p) apply unchanged.
enum class MhdVar : int { kRho = 0, kVn = 1, kVt1 = 2, kVt2 = 3, kP = 4, kBt1 = 5, kBt2 = 6 };
inline constexpr int kMhdVars = 7;
constexpr int idx(MhdVar v) {
  return static_cast<int>(v);
}

enum class MhdRiemannKind { kHLLE, kHLLD };
/// Parses "hlle" | "hlld" (callers validate the string through Config).
MhdRiemannKind mhd_riemann_from_string(const std::string& s);

/// Square of the fast magnetosonic speed for density rho, gas pressure p, normal field bn and
/// total field squared b2: c_f^2 = (a^2 + b^2 + sqrt((a^2 - b^2)^2 + 4 a^2 b_t^2)) / 2 with
/// a^2 = gamma p / rho, b^2 = b2 / rho, b_t^2 = (b2 - bn^2) / rho (the discriminant written as
/// a sum of squares so it never goes negative by round-off).
inline double fast_speed2(double gamma, double rho, double p, double bn, double b2) {
  const double ir = 1.0 / rho;
  const double a2 = gamma * p * ir, va2 = b2 * ir, bt2 = (b2 - bn * bn) * ir;
  const double d = a2 - va2;
  return 0.5 * (a2 + va2 + std::sqrt(d * d + 4.0 * a2 * bt2));
}

/// HLLE flux for ideal MHD (Harten, Lax & van Leer 1983 with Einfeldt's bounds) with the
/// Davis (1988) signal speeds min/max(v_n -/+ c_f) of both states. Faces [0, n); `bn` holds
/// the normal field of each face. Branch-free, vectorised.
void riemann_mhd_hlle(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, PencilBuffer& flux);
/// HLLD flux (Miyoshi & Kusano 2005, J. Comput. Phys. 208, 315: eqs. 38-63, speeds eq. 67):
/// five waves (fast, rotational/Alfven, contact), exact for isolated contacts, rotational and
/// tangential discontinuities. Branch-free: the side (left/right of the contact) is chosen by a
/// select, then the star and double-star corrections are added with 0/1 weights.
void riemann_mhd_hlld(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, PencilBuffer& flux);
/// The same two solvers writing the fluxes straight to seven caller arrays (MhdVar order,
/// faces [0, n) of each), e.g. rows of the per-axis face-flux arrays constrained transport
/// keeps, without a copy.
void riemann_mhd_hlle(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, double* const* flux);
void riemann_mhd_hlld(const IdealGasEos& eos, int n, const double* bn, const PencilBuffer& wl,
                      const PencilBuffer& wr, double* const* flux);

}  // namespace tessera
