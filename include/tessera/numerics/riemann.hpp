#pragma once
/// \file riemann.hpp
/// Riemann solvers for the Euler equations over a pencil of faces, and Toro's exact solver.
///
/// Pencil convention (shared with reconstruction, numerics/reconstruct.hpp): all face states
/// of one x-row of faces are held as a structure of arrays, one contiguous array per variable,
/// so the solver loops run over unit-stride data and vectorise. The velocity is rotated to the
/// face: component kVn is normal to the face, kVt1/kVt2 are the two transverse components in
/// cyclic order (for a face normal to axis a: a+1, a+2 mod 3). Fluxes come back in the same
/// rotated frame. MHD can reuse PencilBuffer with more variables.
#include <string>
#include <vector>

#include "tessera/numerics/eos.hpp"

namespace tessera {

/// Primitive hydro variables of a face pencil (density, normal and transverse velocity,
/// pressure) and, in the flux pencil, the matching fluxes (mass, normal and transverse
/// momentum, total energy).
enum class HydroVar : int { kRho = 0, kVn = 1, kVt1 = 2, kVt2 = 3, kP = 4 };
inline constexpr int kHydroVars = 5;
constexpr int idx(HydroVar v) {
  return static_cast<int>(v);
}

/// Structure-of-arrays storage for `nvar` variables on a pencil of up to `n` faces.
class PencilBuffer {
 public:
  /// Ensures room for nvar x n values (keeps the storage when it is large enough).
  void resize(int nvar, int n) {
    nvar_ = nvar;
    n_ = n;
    // Pad each variable to a multiple of 8 doubles so every array starts 64-byte aligned
    // relative to the first.
    ld_ = (n + 7) / 8 * 8;
    if (data_.size() < static_cast<std::size_t>(nvar) * ld_)
      data_.resize(static_cast<std::size_t>(nvar) * ld_);
  }
  int nvar() const noexcept { return nvar_; }
  int capacity() const noexcept { return n_; }
  double* operator()(int v) noexcept { return data_.data() + static_cast<std::size_t>(v) * ld_; }
  const double* operator()(int v) const noexcept {
    return data_.data() + static_cast<std::size_t>(v) * ld_;
  }
  double* operator()(HydroVar v) noexcept { return (*this)(idx(v)); }
  const double* operator()(HydroVar v) const noexcept { return (*this)(idx(v)); }

 private:
  int nvar_ = 0, n_ = 0;
  std::size_t ld_ = 0;
  std::vector<double> data_;
};

enum class RiemannKind { kHLLE, kHLLC, kExact };
/// Parses "hlle" | "hllc" | "exact" (callers validate the string through Config).
RiemannKind riemann_from_string(const std::string& s);

/// HLLE flux (Einfeldt 1988; Toro 2009 eq. 10.21) with Einfeldt's Roe-average wave-speed
/// bounds. `wl`, `wr`: primitive face states (HydroVar layout); `flux`: fluxes (same layout);
/// faces [0, n). Branch-free, vectorised.
void riemann_hlle(const IdealGasEos& eos, int n, const PencilBuffer& wl, const PencilBuffer& wr,
                  PencilBuffer& flux);
/// HLLC flux (Toro, Spruce & Speares 1994; Toro 2009 sec. 10.4, eqs. 10.37-10.39, 10.71-10.73)
/// with the wave speeds of Batten et al. 1997 (eq. 48). Branch-free, vectorised.
void riemann_hllc(const IdealGasEos& eos, int n, const PencilBuffer& wl, const PencilBuffer& wr,
                  PencilBuffer& flux);
/// Godunov flux from the exact Riemann solution sampled at x/t = 0 (Toro 2009 ch. 4).
/// Iterative and branchy: a reference option, not for production speed.
void riemann_exact(const IdealGasEos& eos, int n, const PencilBuffer& wl, const PencilBuffer& wr,
                   PencilBuffer& flux);

/// A primitive state of the 1D Euler equations.
struct Prim1D {
  double rho = 1.0;  ///< density [mass/length^3]
  double u = 0.0;    ///< velocity [length/time]
  double p = 1.0;    ///< pressure [energy/length^3]
};

/// Exact solution of the Riemann problem for the 1D Euler equations with an ideal gas
/// (Toro 2009, ch. 4: pressure function eqs. 4.6-4.8, Newton iteration sec. 4.3.1,
/// sampling sec. 4.5). Throws PhysicsError when the data generate vacuum (eq. 4.40).
class ExactRiemannSolver {
 public:
  ExactRiemannSolver(double gamma, const Prim1D& left, const Prim1D& right);
  /// Star-region pressure and velocity, and densities left and right of the contact.
  double p_star() const noexcept { return p_star_; }
  double u_star() const noexcept { return u_star_; }
  double rho_star_left() const noexcept { return rho_star_l_; }
  double rho_star_right() const noexcept { return rho_star_r_; }
  /// Speeds (x/t) of the waves: for a shock head == tail == the shock speed; for a
  /// rarefaction head and tail of the fan. Left wave, then right wave.
  double left_head() const noexcept { return sl_head_; }
  double left_tail() const noexcept { return sl_tail_; }
  double right_head() const noexcept { return sr_head_; }
  double right_tail() const noexcept { return sr_tail_; }
  bool left_is_shock() const noexcept { return p_star_ > left_.p; }
  bool right_is_shock() const noexcept { return p_star_ > right_.p; }
  /// The solution at x/t = s.
  Prim1D sample(double s) const;
  /// Newton iterations used.
  int iterations() const noexcept { return iterations_; }

 private:
  /// Toro eq. 4.6/4.7 (f_K) and its derivative for side K.
  void pressure_function(double p, const Prim1D& k, double a, double& f, double& df) const;

  double gamma_;
  Prim1D left_, right_;
  double al_ = 0, ar_ = 0;
  double p_star_ = 0, u_star_ = 0, rho_star_l_ = 0, rho_star_r_ = 0;
  double sl_head_ = 0, sl_tail_ = 0, sr_head_ = 0, sr_tail_ = 0;
  int iterations_ = 0;
};

}  // namespace tessera
