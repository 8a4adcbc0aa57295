// Radiation (M)HD problems under uniform gravity (rmhd_convection.cpp): the radiative
// (magneto)convection of a superadiabatic polytrope (Hurlburt & Toomre 1988, ApJ 327, 920: a
// convectively unstable polytrope threaded by a vertical field; here with the heat carried by gray
// FLD radiation). The gas is set through GasDynamics, so the same problem runs with [physics.hydro]
// and [physics.mhd]; with MHD the uniform vertical field is set on the faces (div B = 0 exactly).
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/physics/mhd.hpp"
#include "tessera/physics/rad_fld.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

/// A superadiabatic layer in hydrostatic equilibrium with gas + radiation pressure, E = a T^4
/// (radiative equilibrium), a vertical field B0 and a small velocity perturbation.
/// Temperature linear in height: T = t_top + g (z_top - z) / (R (m + 1)) with R = p/(rho T)
/// (the gas constant over mu of [physics.rad_fld]) and m the polytropic index (m = 1 <
/// 1/(gamma - 1) = 1.5 is unstable, Schwarzschild criterion); without radiation pressure
/// rho ~ T^m exactly (Hurlburt & Toomre 1988, eqs. 2-4). With it, rho(z) solves
///   d/dz (rho R T + a T^4 / 3) = -rho g   (hydrostatic balance incl. the radiation force
/// -grad E / 3 of the diffusion limit), integrated by RK4 from rho(z_top) = rho_top.
/// The perturbation: v_z = A sin(pi zeta) sum_{m=1..3} sin(2 pi m x/L_x + phi_m) / m (times the
/// same in y in 3D), zeta = (z - z_bot)/H: deterministic, so runs on any rank count agree.
/// Keys: problem.t_top, rho_top, polytropic_index, amplitude (A [L/T]), field (B0, needs mhd).
class RadiativeConvection : public Problem {
 public:
  explicit RadiativeConvection(const ProblemContext& ctx)
      : rad_(ctx.module<RadFldModule>("radiative_convection")), ndim_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    for (const auto& m : ctx.modules) {
      if (auto* p = dynamic_cast<const MhdModule*>(m.get())) mhd_ = p;
    }
    t_top_ = cfg.get_double("problem.t_top", 1.0, Range::positive());
    rho_top_ = cfg.get_double("problem.rho_top", 1.0, Range::positive());
    m_ = cfg.get_double("problem.polytropic_index", 1.0, Range::positive());
    amp_ = cfg.get_double("problem.amplitude", 1e-2, Range::non_negative());
    b0_ = cfg.get_double("problem.field", 0.0);
    if (b0_ != 0.0 && !mhd_) {
      cfg.fail("problem.field", "a magnetic field needs [physics.mhd] (this deck has hydro)");
    }
    lower_ = ctx.mesh.lower;
    upper_ = ctx.mesh.upper;
  }

  void initialize(Mesh& mesh) override {
    const GasDynamics& gas = rad_.gas();
    const UniformGravity& grav = gas.gravity();
    if (!grav.active()) {
      throw ConfigError(
          "problem radiative_convection needs gravity: set gravity > 0 in [physics.hydro] or "
          "[physics.mhd]");
    }
    const int az = grav.axis;
    const double g = grav.g, a = rad_.a_rad();
    const double rgas = (gas.eos().gamma - 1.0) * rad_.internal_energy(1.0, 1.0);  // p/(rho T)
    const double dtdz = -g / (rgas * (m_ + 1.0));
    const double ztop = upper_[az], zbot = lower_[az], height = ztop - zbot;
    auto temp = [&](double z) { return t_top_ + dtdz * (z - ztop); };
    auto drho = [&](double z, double r) {
      const double t = temp(z);
      return -(r * g + rgas * r * dtdz + (4.0 / 3.0) * a * t * t * t * dtdz) / (rgas * t);
    };
    auto rho_at = [&](double z) {
      // RK4 from the top, ~4096 steps per layer height: far below the scheme's own error.
      const int steps = 1 + static_cast<int>(4096.0 * (ztop - z) / height);
      const double h = (z - ztop) / steps;
      double zz = ztop, r = rho_top_;
      for (int s = 0; s < steps; ++s) {
        const double k1 = drho(zz, r), k2 = drho(zz + 0.5 * h, r + 0.5 * h * k1);
        const double k3 = drho(zz + 0.5 * h, r + 0.5 * h * k2), k4 = drho(zz + h, r + h * k3);
        r += h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0;
        zz += h;
      }
      return r;
    };
    const double pi = std::acos(-1.0);
    const double phase[3] = {0.3, 1.7, 4.1};
    auto horizontal = [&](int axis, double x) {
      const double l = upper_[axis] - lower_[axis];
      double s = 0.0;
      for (int m = 1; m <= 3; ++m)
        s += std::sin(2.0 * pi * m * (x - lower_[axis]) / l + phase[m - 1] + axis) / m;
      return s;
    };
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      if (mhd_) {
        mhd_->set_face_field(
            b, {}, [&](int c, const std::array<double, 3>&) { return c == az ? b0_ : 0.0; });
      }
      // Density per vertical index of this block (the integration is the costly part).
      const IndexBox in = b.interior();
      std::vector<double> rho_z(static_cast<std::size_t>(b.dims()[az]), 0.0);
      for (int q = in.lo[az]; q < in.hi[az]; ++q) rho_z[q] = rho_at(b.center(az, q));
      for_each_cell(in, [&](int k, int j, int i) {
        const int idx[3] = {i, j, k};
        const double z = b.center(az, idx[az]);
        const double t = temp(z), r = rho_z[idx[az]];
        double pert = amp_ * std::sin(pi * (z - zbot) / height);
        for (int c = 0; c < ndim_; ++c) {
          if (c != az) pert *= horizontal(c, b.center(c, idx[c]));
        }
        std::array<double, 3> v{0.0, 0.0, 0.0};
        v[az] = pert;
        b.field(gas.rho_id())(0, k, j, i) = r;
        double ke = 0.0;
        for (int c = 0; c < 3; ++c) {
          b.field(gas.mom_id())(c, k, j, i) = r * v[c];
          ke += 0.5 * r * v[c] * v[c];
        }
        const double emag = mhd_ ? mhd_->magnetic_energy(b, k, j, i) : 0.0;
        b.field(gas.energy_id())(0, k, j, i) = rad_.internal_energy(r, t) + ke + emag;
        b.field(rad_.erad_id())(0, k, j, i) = a * t * t * t * t;
      });
    }
  }

 private:
  const RadFldModule& rad_;
  const MhdModule* mhd_ = nullptr;
  int ndim_;
  double t_top_ = 1.0, rho_top_ = 1.0, m_ = 1.0, amp_ = 1e-2, b0_ = 0.0;
  std::array<double, 3> lower_{}, upper_{};
};

/// Isothermal hydrostatic atmosphere (no radiation needed): p = c_s^2 rho, rho = rho0 exp(-(z -
/// z_bot)/H), H = c_s^2/g; set as exact cell averages (rho integrates in closed form), so the
/// static state is the exact solution (exact() returns it: the history's err_* columns measure
/// the discrete hydrostatic imbalance, and err_*_mom_<z> is |rho v| itself). Keys:
/// problem.rho0, problem.sound_speed (isothermal c_s [L/T]), problem.amplitude (a velocity
/// perturbation, default 0). Boundary faces of kind "user" get
/// hydrostatic ghosts (the exact profile continued, velocity mirrored, so no mass crosses
/// the wall at rest); "reflecting" walls mirror rho and p instead, which is a first-order
/// error of the pressure gradient in the wall cell.
class HydrostaticAtmosphere : public Problem {
 public:
  explicit HydrostaticAtmosphere(const ProblemContext& ctx) : ndim_(ctx.mesh.ndim) {
    for (const auto& m : ctx.modules) {
      if (auto* p = dynamic_cast<const GasDynamics*>(m.get())) gas_ = p;
    }
    if (!gas_) ctx.throw_missing("hydrostatic_atmosphere", "hydro");
    rho0_ = ctx.cfg.get_double("problem.rho0", 1.0, Range::positive());
    cs_ = ctx.cfg.get_double("problem.sound_speed", 1.0, Range::positive());
    amp_ = ctx.cfg.get_double("problem.amplitude", 0.0, Range::non_negative());
    lower_ = ctx.mesh.lower;
    upper_ = ctx.mesh.upper;
  }
  void initialize(Mesh& mesh) override {
    if (!gas_->gravity().active()) {
      throw ConfigError(
          "problem hydrostatic_atmosphere needs gravity: set gravity > 0 in [physics.hydro] or "
          "[physics.mhd]");
    }
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) { set_cell(b, k, j, i); });
    }
  }
  bool has_exact() const override { return true; }
  void exact(const Block& b, int fid, double /*t*/, Array4& out) const override {
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double r = rho_avg(b, k, j, i);
      if (fid == gas_->rho_id()) out(0, k, j, i) = r;
      if (fid == gas_->mom_id()) {
        for (int c = 0; c < 3; ++c) out(c, k, j, i) = 0.0;
      }
      if (fid == gas_->energy_id()) out(0, k, j, i) = gas_->eos().internal_energy(r, cs_ * cs_ * r);
    });
  }
  UserBoundaryFn user_boundary() override {
    return [this](Block& b, int axis, int side, double /*t*/, const std::vector<int>& fields) {
      const IndexBox in = b.interior();
      IndexBox ghost = b.all();
      if (side == 0) {
        ghost.hi[axis] = in.lo[axis];
      } else {
        ghost.lo[axis] = in.hi[axis];
      }
      for_each_cell(ghost, [&](int k, int j, int i) {
        std::array<int, 3> m{i, j, k};  // mirror cell for the velocity
        m[axis] = side == 0 ? 2 * in.lo[axis] - 1 - m[axis] : 2 * in.hi[axis] - 1 - m[axis];
        for (int fid : fields) {
          Array4& f = b.field(fid);
          if (fid == gas_->mom_id()) {
            for (int c = 0; c < 3; ++c) {
              const double v = f(c, m[2], m[1], m[0]);
              f(c, k, j, i) = c == axis ? -v : v;
            }
          } else if (fid != gas_->rho_id() && fid != gas_->energy_id()) {
            for (int c = 0; c < f.ncomp(); ++c) f(c, k, j, i) = f(c, m[2], m[1], m[0]);
          }
        }
        set_thermo(b, k, j, i);
      });
    };
  }

 private:
  double height() const { return cs_ * cs_ / gas_->gravity().g; }
  /// Exact cell average of rho over the cell's extent along the gravity axis.
  double rho_avg(const Block& b, int k, int j, int i) const {
    const int az = gas_->gravity().axis, idx[3] = {i, j, k};
    const double h = height(), zc = b.center(az, idx[az]), dz = b.dx[az];
    const double lo = zc - 0.5 * dz - lower_[az], hi = zc + 0.5 * dz - lower_[az];
    return rho0_ * h / dz * (std::exp(-lo / h) - std::exp(-hi / h));
  }
  /// rho and E (at the current momentum) of a cell from the exact profile.
  void set_thermo(Block& b, int k, int j, int i) const {
    const double r = rho_avg(b, k, j, i);
    const Array4& m = b.field(gas_->mom_id());
    const double m2 = m(0, k, j, i) * m(0, k, j, i) + m(1, k, j, i) * m(1, k, j, i) +
                      m(2, k, j, i) * m(2, k, j, i);
    b.field(gas_->rho_id())(0, k, j, i) = r;
    b.field(gas_->energy_id())(0, k, j, i) =
        gas_->eos().internal_energy(r, cs_ * cs_ * r) + 0.5 * m2 / r;
  }
  void set_cell(Block& b, int k, int j, int i) const {
    // Optional vertical velocity A sin(pi zeta) cos(2 pi x_1 / L_1) (zeta: height in the box),
    // to stir a closed box (conservation tests); then the state is no longer the exact one.
    const int az = gas_->gravity().axis, idx[3] = {i, j, k};
    const double pi = std::acos(-1.0);
    const double zeta = (b.center(az, idx[az]) - lower_[az]) / (upper_[az] - lower_[az]);
    const double x = (b.center(0, i) - lower_[0]) / (upper_[0] - lower_[0]);
    for (int c = 0; c < 3; ++c) b.field(gas_->mom_id())(c, k, j, i) = 0.0;
    const double v = amp_ * std::sin(pi * zeta) * (az == 0 ? 1.0 : std::cos(2.0 * pi * x));
    b.field(gas_->mom_id())(az, k, j, i) = rho_avg(b, k, j, i) * v;
    set_thermo(b, k, j, i);
  }

  const GasDynamics* gas_ = nullptr;
  int ndim_;
  double rho0_ = 1.0, cs_ = 1.0, amp_ = 0.0;
  std::array<double, 3> lower_{}, upper_{};
};

}  // namespace

std::unique_ptr<Problem> make_hydrostatic_atmosphere(const ProblemContext& ctx) {
  return std::make_unique<HydrostaticAtmosphere>(ctx);
}

std::unique_ptr<Problem> make_radiative_convection(const ProblemContext& ctx) {
  return std::make_unique<RadiativeConvection>(ctx);
}

}  // namespace tessera
