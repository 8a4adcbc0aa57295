// Rankine-Hugoniot jump conditions of steady radiation-MHD shocks (see rad_rankine_hugoniot.hpp).
//
// Reduction to one unknown (the compression X = rho1/rho0): with m = rho v_x the mass flux,
// the tangential momentum and induction fluxes C1 = m v_t - B_x B_t and C2 = v_x B_t - B_x v_t
// give v_t = (C1 + B_x B_t)/m and B_t (v_x - B_x^2/m) = C2 + B_x C1/m, a vector fixed by the
// upstream state: B_t stays in the upstream plane and its magnitude follows v_x = v_x0/X in
// closed form (Landau & Lifshitz, Electrodynamics of Continuous Media, sec. 73; Priest 2014,
// Magnetohydrodynamics of the Sun, sec. 5.4). Normal momentum then fixes the total pressure
// p + aT^4/3 and hence T, and the energy flux is a scalar function of X whose roots other than
// X = 1 are the shocks. The radiation enters as an extra isotropic pressure E/3 and enthalpy
// (4/3) E (Lowrie & Edwards 2008, eqs. 12-14), which changes neither tangential equation.
#include "tessera/physics/rad_rankine_hugoniot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "tessera/physics/rad_fld.hpp"

namespace tessera {

namespace {

double dot3(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/// The temperature with rho rgas T + a T^4 / 3 = ptot (ptot > 0): the left side is increasing
/// and convex in T, so Newton from an upper bound converges monotonically from above.
double temperature_from_total_pressure(double rho, double ptot, const RmhdGas& gas) {
  double t = ptot / (rho * gas.rgas);
  if (gas.a_rad > 0.0) t = std::min(t, std::pow(3.0 * ptot / gas.a_rad, 0.25));
  for (int it = 0; it < 200; ++it) {
    const double f = rho * gas.rgas * t + gas.a_rad * t * t * t * t / 3.0 - ptot;
    const double df = rho * gas.rgas + 4.0 / 3.0 * gas.a_rad * t * t * t;
    const double dt = f / df;
    t -= dt;
    if (std::abs(dt) <= 1e-16 * t) break;
  }
  return t;
}

}  // namespace

RmhdShockType rmhd_shock_type(const std::string& name) {
  if (name == "fast") return RmhdShockType::kFast;
  if (name == "slow") return RmhdShockType::kSlow;
  if (name == "switch_off") return RmhdShockType::kSwitchOff;
  if (name == "hydro") return RmhdShockType::kHydro;
  throw std::invalid_argument(fmt::format(
      "unknown shock type \"{}\": use \"fast\", \"slow\", \"switch_off\" or \"hydro\"", name));
}

const char* rmhd_shock_type_name(RmhdShockType t) {
  switch (t) {
    case RmhdShockType::kFast:
      return "fast";
    case RmhdShockType::kSlow:
      return "slow";
    case RmhdShockType::kSwitchOff:
      return "switch_off";
    default:
      return "hydro";
  }
}

RmhdState rmhd_state(const RmhdGas& gas, double rho, const std::array<double, 3>& v,
                     const std::array<double, 3>& b, double temp) {
  RmhdState s;
  s.rho = rho;
  s.v = v;
  s.b = b;
  s.temp = temp;
  s.p = rho * gas.rgas * temp;
  s.erad = gas.a_rad * std::pow(temp, 4);
  return s;
}

std::array<double, 7> rmhd_fluxes(const RmhdState& s, const RmhdGas& gas, double frad) {
  const double vx = s.v[0], bx = s.b[0], m = s.rho * vx;
  const double bt2 = s.b[1] * s.b[1] + s.b[2] * s.b[2];
  const double g = gas.gamma;
  return {m,
          m * vx + s.p + 0.5 * (bt2 - bx * bx) + s.erad / 3.0,
          m * s.v[1] - bx * s.b[1],
          m * s.v[2] - bx * s.b[2],
          vx * (0.5 * s.rho * dot3(s.v, s.v) + g / (g - 1.0) * s.p + dot3(s.b, s.b)) -
              bx * dot3(s.v, s.b) + 4.0 / 3.0 * s.erad * vx + frad,
          vx * s.b[1] - bx * s.v[1],
          vx * s.b[2] - bx * s.v[2]};
}

double rmhd_jump_residual(const RmhdState& a, const RmhdState& b, const RmhdGas& gas) {
  const auto fa = rmhd_fluxes(a, gas), fb = rmhd_fluxes(b, gas);
  // Scales: the magnitudes of the terms of each flux at `a`.
  const double vx = std::abs(a.v[0]), bx = std::abs(a.b[0]), m = a.rho * vx, g = gas.gamma;
  const double vmag = std::sqrt(dot3(a.v, a.v)), bmag = std::sqrt(dot3(a.b, a.b));
  const std::array<double, 7> scale{
      m,
      m * vx + a.p + 0.5 * bmag * bmag + a.erad / 3.0,
      m * vmag + bx * bmag,
      m * vmag + bx * bmag,
      vx * (0.5 * a.rho * vmag * vmag + g / (g - 1.0) * a.p + bmag * bmag) + bx * vmag * bmag +
          4.0 / 3.0 * a.erad * vx,
      vx * bmag + bx * vmag,
      vx * bmag + bx * vmag};
  double r = 0.0;
  for (int q = 0; q < 7; ++q) {
    if (scale[q] > 0.0) r = std::max(r, std::abs(fa[q] - fb[q]) / scale[q]);
  }
  return r;
}

std::array<double, 3> rmhd_wave_speeds(const RmhdState& s, const RmhdGas& gas) {
  const double a2 = (gas.gamma * s.p + 4.0 / 9.0 * s.erad) / s.rho;
  const double b2 = dot3(s.b, s.b) / s.rho, bx2 = s.b[0] * s.b[0] / s.rho;
  const double disc = std::sqrt(std::max((a2 + b2) * (a2 + b2) - 4.0 * a2 * bx2, 0.0));
  return {std::sqrt(std::max(0.5 * (a2 + b2 - disc), 0.0)), std::sqrt(bx2),
          std::sqrt(0.5 * (a2 + b2 + disc))};
}

RmhdState rmhd_switch_off_upstream(const RmhdGas& gas, double rho, double temp,
                                   const std::array<double, 3>& b, double vy, double vz) {
  return rmhd_state(gas, rho, {std::abs(b[0]) / std::sqrt(rho), vy, vz}, b, temp);
}

RmhdState rmhd_shock_downstream(const RmhdState& up, const RmhdGas& gas, RmhdShockType type) {
  if (!(up.v[0] > 0.0) || !(up.rho > 0.0) || !(up.p > 0.0)) {
    throw std::invalid_argument(
        "rmhd_shock_downstream: the upstream state needs rho > 0, p > 0 and v_x > 0 (gas "
        "flowing into the shock from x < 0)");
  }
  const double bx = up.b[0], bt0 = std::hypot(up.b[1], up.b[2]);
  if (type == RmhdShockType::kHydro && (bx != 0.0 || bt0 != 0.0)) {
    throw std::invalid_argument("shock type \"hydro\" needs B = 0: use fast or slow");
  }
  const double ma2 =
      bx != 0.0 ? up.rho * up.v[0] * up.v[0] / (bx * bx) : std::numeric_limits<double>::infinity();
  if (type == RmhdShockType::kSwitchOff) {
    if (bx == 0.0 || bt0 == 0.0 || std::abs(ma2 - 1.0) > 1e-10) {
      throw std::invalid_argument(fmt::format(
          "a switch-off shock needs B_x != 0, B_t != 0 and an upstream normal speed equal to "
          "the Alfven speed |B_x|/sqrt(rho) (here rho v_x^2 / B_x^2 = {:.12g}); build the "
          "upstream state with rmhd_switch_off_upstream (tessera-rh: omit --vx)",
          ma2));
    }
  }
  if (type == RmhdShockType::kSlow && !(ma2 < 1.0)) {
    throw std::invalid_argument(
        fmt::format("a slow shock needs a sub-Alfvenic upstream normal flow, rho v_x^2 / B_x^2 < "
                    "1 (here {:.6g})",
                    ma2));
  }
  const auto f0 = rmhd_fluxes(up, gas);
  const double m = f0[0];
  const std::array<double, 2> c1{f0[2], f0[3]};
  // B_t (v_x - B_x^2/m) is the same on both sides.
  const double k0 = up.v[0] - bx * bx / m;
  // Energy-flux scale for a relative residual.
  const double escale = std::abs(f0[4]) + m * 0.5 * dot3(up.v, up.v);

  auto state_at = [&](double x, RmhdState& s) -> bool {
    s.rho = up.rho * x;
    s.v[0] = up.v[0] / x;
    s.b[0] = bx;
    if (type == RmhdShockType::kSwitchOff) {
      s.b[1] = s.b[2] = 0.0;
    } else {
      const double k = s.v[0] - bx * bx / m;
      if (k == 0.0) return false;
      s.b[1] = up.b[1] * k0 / k;
      s.b[2] = up.b[2] * k0 / k;
    }
    for (int c = 1; c < 3; ++c) s.v[c] = (c1[c - 1] + bx * s.b[c]) / m;
    const double bt2 = s.b[1] * s.b[1] + s.b[2] * s.b[2];
    const double ptot = f0[1] - m * s.v[0] - 0.5 * (bt2 - bx * bx);
    if (!(ptot > 0.0)) return false;
    s.temp = temperature_from_total_pressure(s.rho, ptot, gas);
    s.p = s.rho * gas.rgas * s.temp;
    s.erad = gas.a_rad * std::pow(s.temp, 4);
    return true;
  };
  auto residual = [&](double x, bool& ok) {
    RmhdState s;
    ok = state_at(x, s);
    return ok ? (rmhd_fluxes(s, gas)[4] - f0[4]) / escale : 0.0;
  };

  // Strong-shock compression limit: (gamma+1)/(gamma-1) for the gas, 7 for radiation (4/3).
  const double xmax = std::max(gas.a_rad > 0.0 ? 7.0 : 1.0, (gas.gamma + 1.0) / (gas.gamma - 1.0));
  double lo = 1.0, hi = xmax;
  if (type == RmhdShockType::kFast) hi = std::min(hi, ma2);
  if (type == RmhdShockType::kSlow) lo = std::max(lo, ma2);
  std::vector<double> roots;
  if (hi > lo) {
    // Scan X - lo on a logarithmic grid (weak shocks sit just above X = 1), then bisect.
    const int n = 4000;
    double xa = lo + (hi - lo) * 1e-12, fa = 0.0;
    bool oka = false;
    fa = residual(xa, oka);
    for (int q = 1; q <= n; ++q) {
      const double s = q == n ? 1.0 - 1e-12 : std::pow(10.0, -12.0 + 12.0 * q / n);
      const double xb = lo + (hi - lo) * s;
      bool okb = false;
      const double fb = residual(xb, okb);
      if (oka && okb && ((fa < 0.0 && fb >= 0.0) || (fa > 0.0 && fb <= 0.0))) {
        double a = xa, b = xb, ga = fa;
        for (int it = 0; it < 200 && b - a > 1e-15 * b; ++it) {
          const double c = 0.5 * (a + b);
          bool okc = false;
          const double gc = residual(c, okc);
          if (!okc) break;
          if ((ga < 0.0) == (gc < 0.0)) {
            a = c;
            ga = gc;
          } else {
            b = c;
          }
        }
        roots.push_back(0.5 * (a + b));
      }
      xa = xb;
      fa = fb;
      oka = okb;
    }
  }
  if (roots.size() != 1) {
    const auto sp = rmhd_wave_speeds(up, gas);
    throw std::invalid_argument(fmt::format(
        "no unique {} shock for this upstream state ({} roots of the jump conditions on the "
        "branch; upstream v_x = {:.6g}, slow/Alfven/fast speeds {:.6g} {:.6g} {:.6g}): a fast "
        "shock needs v_x above the fast speed, a slow shock v_x between the slow and Alfven "
        "speeds",
        rmhd_shock_type_name(type), roots.size(), up.v[0], sp[0], sp[1], sp[2]));
  }
  RmhdState down;
  state_at(roots[0], down);
  return down;
}

std::array<double, 3> radiating_shock_downstream(double rho0, double u0, double t0, double gamma,
                                                 double rgas, double a_rad) {
  const RmhdGas gas{gamma, rgas, a_rad};
  const RmhdState up = rmhd_state(gas, rho0, {u0, 0.0, 0.0}, {0.0, 0.0, 0.0}, t0);
  const RmhdState d = rmhd_shock_downstream(up, gas, RmhdShockType::kHydro);
  return {d.rho, d.temp, d.v[0]};
}

}  // namespace tessera
