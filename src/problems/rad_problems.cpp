// Radiation (gray FLD) problems: uniform states (energy exchange, free-streaming front), a
// diffusing Gaussian pulse (exact), the Su & Olson (1997) source-driven non-equilibrium
// problem, and the Lowrie & Edwards (2008) radiating shock. All set the gas through the
// GasDynamics interface (rho, mom, total energy), so they run with hydro today and MHD later.
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/physics/rad_fld.hpp"
#include "tessera/problems/cell_average.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

/// Sets the gas of cell (k, j, i) from density, velocity and internal energy per volume.
void set_gas(const RadFldModule& rad, Block& b, int k, int j, int i, double rho,
             const std::array<double, 3>& v, double eint) {
  const GasDynamics& g = rad.gas();
  b.field(g.rho_id())(0, k, j, i) = rho;
  double ke = 0.0;
  for (int c = 0; c < 3; ++c) {
    b.field(g.mom_id())(c, k, j, i) = rho * v[c];
    ke += 0.5 * rho * v[c] * v[c];
  }
  b.field(g.energy_id())(0, k, j, i) = eint + ke;
}

/// Copies the current field (no exact solution for it): zero error columns.
void copy_field(const Block& b, int fid, Array4& out) {
  const Array4& u = b.field(fid);
  for (int c = 0; c < u.ncomp(); ++c)
    for_each_cell(b.interior(), [&](int k, int j, int i) { out(c, k, j, i) = u(c, k, j, i); });
}

/// Uniform gas and radiation: problem.rho, problem.velocity (3), the gas internal energy per
/// volume problem.eint or the temperature problem.temperature [K], and problem.erad.
/// Turner & Stone (2001, sec. 4.1) exchange test and the free-streaming front (with a fixed-E
/// boundary).
class RadUniform : public Problem {
 public:
  explicit RadUniform(const ProblemContext& ctx) : rad_(ctx.module<RadFldModule>("rad_uniform")) {
    const auto& cfg = ctx.cfg;
    rho_ = cfg.get_double("problem.rho", 1.0, Range::positive());
    const auto v = cfg.get_doubles("problem.velocity", {0.0, 0.0, 0.0}, 3);
    v_ = {v[0], v[1], v[2]};
    if (cfg.has("problem.temperature")) {
      temp_ = cfg.get_double("problem.temperature", 1.0, Range::non_negative());
    } else {
      eint_ = cfg.get_double("problem.eint", 1.0, Range::non_negative());
    }
    erad_ = cfg.get_double("problem.erad", 0.0, Range::non_negative());
  }
  void initialize(Mesh& mesh) override {
    const double e = temp_ >= 0.0 ? rad_.internal_energy(rho_, temp_) : eint_;
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        set_gas(rad_, b, k, j, i, rho_, v_, e);
        b.field(rad_.erad_id())(0, k, j, i) = erad_;
      });
    }
  }

 private:
  const RadFldModule& rad_;
  double rho_ = 1.0, eint_ = 1.0, temp_ = -1.0, erad_ = 0.0;
  std::array<double, 3> v_{};
};

/// Gaussian radiation pulse in a static, non-absorbing medium (kappa_P = 0) with constant
/// D = c lambda / chi: E = E_bg + A prod_a (s0/s) exp(-(x_a - c_a)^2 / (2 s^2)), s^2 = s0^2 +
/// 2 D t, the exact solution of dE/dt = D lap E (periodic images summed). Needs the diffusion
/// limiter (lambda = 1/3) and a constant Rosseland opacity. Keys: problem.rho, problem.pressure,
/// problem.amplitude, problem.width (s0), problem.centre, problem.erad_background.
class RadPulse : public Problem {
 public:
  explicit RadPulse(const ProblemContext& ctx)
      : rad_(ctx.module<RadFldModule>("rad_pulse")), mesh_(ctx.mesh) {
    const auto& cfg = ctx.cfg;
    rho_ = cfg.get_double("problem.rho", 1.0, Range::positive());
    p_ = cfg.get_double("problem.pressure", 1.0, Range::positive());
    amp_ = cfg.get_double("problem.amplitude", 1.0);
    s0_ = cfg.get_double("problem.width", 0.05, Range::positive());
    bg_ = cfg.get_double("problem.erad_background", 0.0, Range::non_negative());
    const auto c = cfg.get_doubles("problem.centre", std::vector<double>(ctx.mesh.ndim, 0.5),
                                   static_cast<std::size_t>(ctx.mesh.ndim));
    for (int a = 0; a < ctx.mesh.ndim; ++a) centre_[a] = c[a];
    if (rad_.limiter() != FluxLimiter::kDiffusion) {
      cfg.fail("physics.rad_fld.limiter",
               "rad_pulse has an exact solution only for limiter = \"diffusion\" (constant D)");
    }
    chi_ = rad_.extinction(rho_, 1.0);
  }
  void initialize(Mesh& mesh) override {
    const double eint = p_ / (rad_.gas().eos().gamma - 1.0);
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(),
                    [&](int k, int j, int i) { set_gas(rad_, b, k, j, i, rho_, {}, eint); });
      Array4 ex;
      ex.resize(1, b.dims());
      exact(b, rad_.erad_id(), 0.0, ex);
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        b.field(rad_.erad_id())(0, k, j, i) = ex(0, k, j, i);
      });
    }
  }
  bool has_exact() const override { return true; }
  void exact(const Block& b, int fid, double t, Array4& out) const override {
    if (fid != rad_.erad_id()) return copy_field(b, fid, out);
    const double d = rad_.c_light() / (3.0 * chi_);
    const double s = std::sqrt(s0_ * s0_ + 2.0 * d * t);
    const auto avg =
        separable_cell_averages(b, mesh_, centre_, 3, [&](double lo, double hi, double c) {
          return (s0_ / s) * gaussian_integral(lo, hi, c, s);
        });
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      out(0, k, j, i) = bg_ + amp_ * avg[0][i] * avg[1][j] * avg[2][k];
    });
  }

 private:
  const RadFldModule& rad_;
  MeshParams mesh_;
  double rho_ = 1.0, p_ = 1.0, amp_ = 1.0, s0_ = 0.05, bg_ = 0.0, chi_ = 1.0;
  std::array<double, 3> centre_{0.5, 0.5, 0.5};
};

/// Su & Olson (1997) non-equilibrium Marshak-wave problem in its source-driven form: a cold
/// (T = 0, E = 0) static medium with e_int = a T^4 / epsilon (material = "su_olson"), a source
/// S = problem.source on |x| < problem.x0 for t < problem.t_source. In units c = a = kappa rho
/// = 1 (x in mean free paths, tau = epsilon t) E equals Su & Olson's u. The medium is held
/// static by a heavy gas (problem.rho, e.g. 1e12, with kappa = 1/rho): its velocities stay at
/// ~1e-12.
class SuOlson : public Problem {
 public:
  explicit SuOlson(const ProblemContext& ctx) : rad_(ctx.module<RadFldModule>("su_olson")) {
    const auto& cfg = ctx.cfg;
    rho_ = cfg.get_double("problem.rho", 1e12, Range::positive());
    const double s = cfg.get_double("problem.source", 1.0);
    const double x0 = cfg.get_double("problem.x0", 0.5, Range::positive());
    const double ts = cfg.get_double("problem.t_source", 10.0, Range::positive());
    auto& rad = ctx.module<RadFldModule>("su_olson");
    // End-of-stage evaluation: the source acts over steps ending at t <= t_source (+ round-off).
    rad.set_source([s, x0, ts](const std::array<double, 3>& x, double t) {
      return (std::abs(x[0]) < x0 && t <= ts * (1.0 + 1e-12)) ? s : 0.0;
    });
  }
  void initialize(Mesh& mesh) override {
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        // e = 1e-10 rather than 0 (T = 3e-3 instead of 0, negligible against the source's O(1)
        // energies): a gas at zero pressure has zero wave speeds and the Riemann solvers divide
        // by them.
        set_gas(rad_, b, k, j, i, rho_, {}, 1e-10);
        b.field(rad_.erad_id())(0, k, j, i) = 0.0;
      });
    }
  }

 private:
  const RadFldModule& rad_;
  double rho_ = 1e12;
};

/// Lowrie & Edwards (2008) radiating shock in its rest frame: upstream (rho0, T0) flows in at
/// u0 = Mach a0 from x1_lower (fixed inflow boundary), downstream state from
/// radiating_shock_downstream, jump at problem.x_shock; E = a T^4 on both sides. Non-dimensional
/// units of the paper: rho0 = T0 = a0 = 1 with gas_constant/mu = 1/gamma (p = rho T / gamma),
/// a_rad = P0 = 1e-4, c = 1732.
class RadShock : public Problem {
 public:
  explicit RadShock(const ProblemContext& ctx) : rad_(ctx.module<RadFldModule>("rad_shock")) {
    const auto& cfg = ctx.cfg;
    rho0_ = cfg.get_double("problem.rho0", 1.0, Range::positive());
    t0_ = cfg.get_double("problem.t0", 1.0, Range::positive());
    mach_ = cfg.get_double("problem.mach", 3.0, Range::positive());
    xs_ = cfg.get_double("problem.x_shock", 0.0);
  }
  void initialize(Mesh& mesh) override {
    const double gamma = rad_.gas().eos().gamma;
    const double rgas = rad_.internal_energy(1.0, 1.0) * (gamma - 1.0);  // p = rho rgas T
    const double a0 = std::sqrt(gamma * rgas * t0_);
    const double u0 = mach_ * a0;
    const auto down = radiating_shock_downstream(rho0_, u0, t0_, gamma, rgas, rad_.a_rad());
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const bool up = b.center(0, i) < xs_;
        const double r = up ? rho0_ : down[0], tt = up ? t0_ : down[1], u = up ? u0 : down[2];
        set_gas(rad_, b, k, j, i, r, {u, 0.0, 0.0}, rad_.internal_energy(r, tt));
        b.field(rad_.erad_id())(0, k, j, i) = rad_.a_rad() * std::pow(tt, 4);
      });
    }
  }

 private:
  const RadFldModule& rad_;
  double rho0_ = 1.0, t0_ = 1.0, mach_ = 3.0, xs_ = 0.0;
};

}  // namespace

std::unique_ptr<Problem> make_rad_uniform(const ProblemContext& ctx) {
  return std::make_unique<RadUniform>(ctx);
}
std::unique_ptr<Problem> make_rad_pulse(const ProblemContext& ctx) {
  return std::make_unique<RadPulse>(ctx);
}
std::unique_ptr<Problem> make_su_olson(const ProblemContext& ctx) {
  return std::make_unique<SuOlson>(ctx);
}
std::unique_ptr<Problem> make_rad_shock(const ProblemContext& ctx) {
  return std::make_unique<RadShock>(ctx);
}

}  // namespace tessera
