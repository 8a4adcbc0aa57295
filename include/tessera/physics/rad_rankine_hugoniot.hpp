#pragma once
/// \file rad_rankine_hugoniot.hpp
/// Rankine-Hugoniot jump conditions of a steady, planar radiation-MHD shock in its rest frame
/// (x normal to the shock), with the radiation in equilibrium (E = a T^4) and carrying no
/// diffusive flux far from the shock on both sides (Lowrie & Edwards 2008, eqs. 12-14 for the
/// hydrodynamic case; Narechania et al. 2025, sec. 4.2 for radiation-MHD). Fluxes conserved
/// across the shock (magnetic units with B^2/2 the magnetic pressure, sqrt(4 pi) absorbed):
///   mass        rho v_x
///   x-momentum  rho v_x^2 + p + (B_t^2 - B_x^2)/2 + E/3                (P_rad = E/3)
///   t-momentum  rho v_x v_t - B_x B_t                                    (two components)
///   energy      v_x (rho v^2/2 + gamma p/(gamma-1) + B^2) - B_x (v.B) + (4/3) E v_x + F
///   induction   v_x B_t - B_x v_t                                        (two components)
/// and B_x continuous. The ideal gas has p = rho rgas T (rgas = k_B/(mu m_u)) and adiabatic
/// index gamma. Inside a resolved steady profile the same fluxes are constant with the
/// radiative diffusion flux F = -(c lambda / (kappa_R rho)) dE/dx added to the energy flux.
#include <array>
#include <string>
#include <vector>

namespace tessera {

/// Gas and radiation constants of the jump conditions.
struct RmhdGas {
  double gamma = 5.0 / 3.0;  ///< adiabatic index (> 1)
  double rgas = 1.0;         ///< p = rho rgas T [L^2/(T^2 K)]
  double a_rad = 0.0;        ///< radiation constant: E = a_rad T^4 [M/(L T^2 K^4)]; 0: no radiation
};

/// A uniform equilibrium state: density, velocity (x normal), field, gas pressure, temperature
/// and radiation energy density (E = a T^4, consistent with p = rho rgas T).
struct RmhdState {
  double rho = 1.0;
  std::array<double, 3> v{0.0, 0.0, 0.0};
  std::array<double, 3> b{0.0, 0.0, 0.0};
  double p = 1.0;
  double temp = 1.0;
  double erad = 0.0;
};

/// Which branch of the jump conditions: fast shock (upstream super-fast, downstream between
/// the Alfven and fast speeds, |B_t| grows), slow shock (both sides sub-Alfvenic, |B_t|
/// shrinks), switch-off shock (the slow shock whose upstream normal speed is the Alfven speed
/// B_x/sqrt(rho); downstream B_t = 0), hydro (B = 0: the Lowrie-Edwards radiating shock).
enum class RmhdShockType { kFast, kSlow, kSwitchOff, kHydro };

/// "fast" | "slow" | "switch_off" | "hydro" -> the type; InputError-style std::invalid_argument
/// naming the allowed values otherwise.
RmhdShockType rmhd_shock_type(const std::string& name);
const char* rmhd_shock_type_name(RmhdShockType t);

/// The equilibrium state with density rho, velocity v, field b and temperature T:
/// p = rho rgas T, E = a T^4.
RmhdState rmhd_state(const RmhdGas& gas, double rho, const std::array<double, 3>& v,
                     const std::array<double, 3>& b, double temp);

/// The seven fluxes listed in the file comment, in the order mass, x-, y-, z-momentum, energy,
/// y-, z-induction, for state s with E = s.erad and an extra radiative diffusion flux
/// frad [M/T^3] added to the energy flux (0 for the far-field states).
std::array<double, 7> rmhd_fluxes(const RmhdState& s, const RmhdGas& gas, double frad = 0.0);

/// Max over the seven fluxes of |f(a) - f(b)| / scale, each flux scaled by the sum of the
/// magnitudes of its terms at `a` (so a flux that is zero is not divided by zero): the jump
/// residual of a pair of states.
double rmhd_jump_residual(const RmhdState& a, const RmhdState& b, const RmhdGas& gas);

/// Slow, Alfven and fast speeds along x of state s [L/T], {c_slow, c_alfven, c_fast}, with
/// the squared sound speed gamma p / rho + (4/9) E / rho (the radiation-modified estimate that
/// rad_fld's time step uses; the exact ideal-MHD speeds when a_rad = 0).
std::array<double, 3> rmhd_wave_speeds(const RmhdState& s, const RmhdGas& gas);

/// Downstream equilibrium state of a steady shock with the given upstream state (v_x > 0:
/// the gas flows from x < 0 into the shock). For every compression X = rho1/rho0 the
/// tangential momentum and induction equations give B_t and v_t in closed form
/// (B_t1 (v_x1 - B_x^2/m) = B_t0 (v_x0 - B_x^2/m), m = rho v_x), normal momentum the total
/// pressure p + aT^4/3 and so T (a monotone quartic, Newton from above); the energy flux
/// residual g(X) is then scanned on (1, X_max) within the branch of `type` (fast: X <
/// rho0 v_x0^2 / B_x^2, slow: beyond it) and its sign change refined by bisection to round-off.
/// Throws std::invalid_argument when the branch has no root (e.g. a fast shock asked for with
/// a sub-fast upstream), more than one, or for switch_off when v_x0 != B_x/sqrt(rho0) to 1e-10
/// (use rmhd_switch_off_upstream), for hydro when B != 0.
RmhdState rmhd_shock_downstream(const RmhdState& up, const RmhdGas& gas, RmhdShockType type);

/// The upstream state of a switch-off shock: rho, T, field b (B_x != 0, B_t != 0) and
/// tangential velocity vt, with v_x = |B_x| / sqrt(rho) (the Alfven speed along x).
RmhdState rmhd_switch_off_upstream(const RmhdGas& gas, double rho, double temp,
                                   const std::array<double, 3>& b, double vy = 0.0,
                                   double vz = 0.0);

}  // namespace tessera
