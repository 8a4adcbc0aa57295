// Initial conditions for the projection Navier-Stokes solver ([physics.incompressible]).
// Staggered velocities are point values at the face centres (what the MAC scheme carries).
//
//   incompressible_taylor_green  2D periodic: u = U sin(kx) cos(ky) F, v = -U cos(kx) sin(ky) F,
//                                p = (U^2/4)(cos 2kx + cos 2ky) F^2, F = exp(-2 nu k^2 t) (exact;
//                                REFERENCES.md). Point values on the MAC grid are discretely
//                                divergence-free for this field.
//   incompressible_poiseuille    plane channel along x1, walls at the x2 ends: u = 4 U y'(H -
//   y')/H^2
//                                (exact steady state), driven by body_force[0] = G (U = G H^2 /
//                                (8 nu), p = 0) or by a parabolic inflow of peak U at x1_lower with
//                                outflow at x1_upper (p = G (x_out - x)). The wall extrapolation is
//                                exact for parabolas, so this is a discrete steady state.
//   incompressible_cavity        fluid at rest; the lid (a moving wall in the deck) drives it.
//   incompressible_convection    fluid at rest, T linear between the two fixed-temperature faces
//                                of one axis (conduction), plus an optional perturbation
//                                A sin(pi xi) cos(2 pi m x / L) along the first periodic axis
//                                (Rayleigh-Benard onset) or A sin(pi xi) (no periodic axis).
#include <fmt/format.h>

#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/core/random.hpp"
#include "tessera/physics/incompressible.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

/// Coordinate along `axis` of ghosted index idx: the face (lower) when `face`, else the centre.
inline double coord(const Block& b, int axis, int idx, bool face) {
  return b.lower[axis] + (idx - b.ng[axis] + (face ? 0.0 : 0.5)) * b.dx[axis];
}

/// Base: fills the face velocity, the derived cell velocity and the pressure from point
/// functions of (x, t); the temperature (if any) is left to the subclass.
class IncompressibleProblem : public Problem {
 public:
  explicit IncompressibleProblem(IncompressibleModule& m) : m_(m) {}
  /// Velocity component c and pressure at point x, time t.
  virtual double velocity(int c, const std::array<double, 3>& x, double t) const { return 0.0; }
  virtual double pressure(const std::array<double, 3>& x, double t) const { return 0.0; }
  virtual double temperature(const std::array<double, 3>& x) const { return 0.0; }

  void initialize(Mesh& mesh) override {
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      fill(b, m_.face_velocity_id(), 0.0, b.field(m_.face_velocity_id()));
      fill(b, m_.velocity_id(), 0.0, b.field(m_.velocity_id()));
      fill(b, m_.pressure_id(), 0.0, b.field(m_.pressure_id()));
      if (m_.temperature_id() >= 0) fill(b, m_.temperature_id(), 0.0, b.field(m_.temperature_id()));
    }
  }
  void exact(const Block& b, int fid, double t, Array4& out) const override {
    fill(b, fid, t, out);
  }

 protected:
  void fill(const Block& b, int fid, double t, Array4& out) const {
    const int nd = m_.ndim();
    for (int c = 0; c < out.ncomp(); ++c) {
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const std::array<int, 3> idx{i, j, k};
        std::array<double, 3> x{0.0, 0.0, 0.0};
        const bool staggered = fid == m_.face_velocity_id();
        for (int a = 0; a < nd; ++a) x[a] = coord(b, a, idx[a], staggered && a == c);
        double v = 0.0;
        if (fid == m_.face_velocity_id() || fid == m_.velocity_id())
          v = velocity(c, x, t);
        else if (fid == m_.pressure_id())
          v = pressure(x, t);
        else if (fid == m_.temperature_id())
          v = temperature(x);
        out(c, k, j, i) = v;
      });
    }
  }
  IncompressibleModule& m_;
};

class TaylorGreen final : public IncompressibleProblem {
 public:
  TaylorGreen(const ProblemContext& ctx, IncompressibleModule& m) : IncompressibleProblem(m) {
    u0_ = ctx.cfg.get_double("problem.amplitude", 1.0);
    k_ = ctx.cfg.get_double("problem.wavenumber", 1.0, Range::positive());
    if (m.ndim() != 2 || !ctx.mesh.periodic[0] || !ctx.mesh.periodic[1])
      ctx.cfg.fail("problem.name", "incompressible_taylor_green needs a 2D periodic box");
  }
  bool has_exact() const override { return true; }
  double velocity(int c, const std::array<double, 3>& x, double t) const override {
    const double f = std::exp(-2.0 * m_.nu() * k_ * k_ * t);
    return c == 0 ? u0_ * std::sin(k_ * x[0]) * std::cos(k_ * x[1]) * f
                  : -u0_ * std::cos(k_ * x[0]) * std::sin(k_ * x[1]) * f;
  }
  double pressure(const std::array<double, 3>& x, double t) const override {
    const double f = std::exp(-2.0 * m_.nu() * k_ * k_ * t);
    return 0.25 * u0_ * u0_ * (std::cos(2 * k_ * x[0]) + std::cos(2 * k_ * x[1])) * f * f;
  }

 private:
  double u0_ = 1.0, k_ = 1.0;
};

class Poiseuille final : public IncompressibleProblem {
 public:
  Poiseuille(const ProblemContext& ctx, IncompressibleModule& m) : IncompressibleProblem(m) {
    y0_ = ctx.mesh.lower[1], h_ = ctx.mesh.upper[1] - ctx.mesh.lower[1];
    xout_ = ctx.mesh.upper[0];
    const double g = m.body_force()[0];
    const IncompressibleFace& in = m.face(0, 0);
    if (!in.periodic && in.kind == WallKind::kInflow && in.parabolic) {
      umax_ = in.velocity[0];
      grad_ = 8.0 * m.nu() * umax_ / (h_ * h_);
      if (m.face(0, 1).kind != WallKind::kOutflow || g != 0.0)
        ctx.cfg.fail("problem.name",
                     "incompressible_poiseuille with a parabolic inflow at "
                     "x1_lower needs an outflow at x1_upper and no body force");
    } else if (ctx.mesh.periodic[0] && g != 0.0 && m.nu() > 0.0) {
      umax_ = g * h_ * h_ / (8.0 * m.nu());
    } else {
      ctx.cfg.fail("problem.name",
                   "incompressible_poiseuille needs either a periodic x1 with "
                   "body_force[0] != 0, or a parabolic inflow at x1_lower");
    }
    if (ctx.mesh.periodic[1] || m.face(1, 0).kind != WallKind::kNoSlip ||
        m.face(1, 1).kind != WallKind::kNoSlip)
      ctx.cfg.fail("problem.name", "incompressible_poiseuille needs no-slip walls on x2");
  }
  bool has_exact() const override { return true; }
  double velocity(int c, const std::array<double, 3>& x, double) const override {
    if (c != 0) return 0.0;
    const double e = (x[1] - y0_) / h_;
    return 4.0 * umax_ * e * (1.0 - e);
  }
  double pressure(const std::array<double, 3>& x, double) const override {
    return grad_ * (xout_ - x[0]);
  }

 private:
  double y0_ = 0.0, h_ = 1.0, xout_ = 1.0, umax_ = 0.0, grad_ = 0.0;
};

class Cavity final : public IncompressibleProblem {
 public:
  using IncompressibleProblem::IncompressibleProblem;
};

class Convection final : public IncompressibleProblem {
 public:
  Convection(const ProblemContext& ctx, IncompressibleModule& m) : IncompressibleProblem(m) {
    if (!m.boussinesq())
      ctx.cfg.fail("problem.name", "incompressible_convection needs boussinesq = true");
    amp_ = ctx.cfg.get_double("problem.perturbation", 0.0);
    mode_ = static_cast<int>(ctx.cfg.get_int("problem.mode", 1, Range::at_least(0)));
    // Ensembles: problem.seed >= 0 shifts the perturbation by a random phase along the periodic
    // axis (same seed, same phase on every rank count), so members with equal parameters differ.
    const auto seed = ctx.cfg.get_int("problem.seed", -1, Range::at_least(-1));
    if (seed >= 0)
      phase_ = 2.0 * M_PI * hashed_uniform(static_cast<std::uint64_t>(seed), 0x5242, 0);
    for (int a = 0; a < m.ndim(); ++a) {
      const auto& lo = m.face(a, 0);
      const auto& hi = m.face(a, 1);
      if (axis_ < 0 && !lo.periodic && lo.thermal == ThermalKind::kFixed &&
          hi.thermal == ThermalKind::kFixed && lo.temperature != hi.temperature) {
        axis_ = a, tlo_ = lo.temperature, thi_ = hi.temperature;
      }
      if (paxis_ < 0 && ctx.mesh.periodic[a]) paxis_ = a;
    }
    if (axis_ < 0)
      ctx.cfg.fail("problem.name",
                   "incompressible_convection needs one axis with fixed, "
                   "different temperatures on its two faces");
    lo_ = ctx.mesh.lower, hi_ = ctx.mesh.upper;
  }
  double temperature(const std::array<double, 3>& x) const override {
    const double xi = (x[axis_] - lo_[axis_]) / (hi_[axis_] - lo_[axis_]);
    double t = tlo_ + (thi_ - tlo_) * xi;
    double pert = amp_ * std::sin(M_PI * xi);
    if (paxis_ >= 0)
      pert *= std::cos(
          2.0 * M_PI * mode_ * (x[paxis_] - lo_[paxis_]) / (hi_[paxis_] - lo_[paxis_]) + phase_);
    return t + pert;
  }

 private:
  int axis_ = -1, paxis_ = -1, mode_ = 1;
  double tlo_ = 0.0, thi_ = 0.0, amp_ = 0.0, phase_ = 0.0;
  std::array<double, 3> lo_{}, hi_{};
};

}  // namespace

std::unique_ptr<Problem> make_incompressible_taylor_green(const ProblemContext& ctx) {
  return std::make_unique<TaylorGreen>(
      ctx, ctx.module<IncompressibleModule>("incompressible_taylor_green"));
}
std::unique_ptr<Problem> make_incompressible_poiseuille(const ProblemContext& ctx) {
  return std::make_unique<Poiseuille>(
      ctx, ctx.module<IncompressibleModule>("incompressible_poiseuille"));
}
std::unique_ptr<Problem> make_incompressible_cavity(const ProblemContext& ctx) {
  return std::make_unique<Cavity>(ctx.module<IncompressibleModule>("incompressible_cavity"));
}
std::unique_ptr<Problem> make_incompressible_convection(const ProblemContext& ctx) {
  return std::make_unique<Convection>(
      ctx, ctx.module<IncompressibleModule>("incompressible_convection"));
}

}  // namespace tessera
