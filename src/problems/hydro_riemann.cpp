// Shock-tube (Riemann) problems along x for the hydro module: Sod (1978) and the tests of
// Toro 2009, Table 4.1. The exact solution comes from the exact Riemann solver; its cell
// averages are integrated piecewise: each cell is split at the solution's wave fronts (shocks,
// contact, fan edges) and every smooth piece gets 3-point Gauss-Legendre quadrature, so the
// reference is exact to round-off except inside rarefaction fans (error ~ (dx)^6 there).
// Valid until the first wave reaches a boundary.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/numerics/riemann.hpp"
#include "tessera/physics/hydro.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

class RiemannProblem : public Problem {
 public:
  explicit RiemannProblem(const ProblemContext& ctx) : hydro_(ctx.module<HydroModule>("riemann")) {
    const auto& cfg = ctx.cfg;
    const auto l = cfg.require_doubles("problem.left", 3);
    const auto r = cfg.require_doubles("problem.right", 3);
    left_ = {l[0], l[1], l[2]};
    right_ = {r[0], r[1], r[2]};
    for (const auto* s : {&left_, &right_}) {
      if (!(s->rho > 0.0 && s->p > 0.0)) {
        cfg.fail(s == &left_ ? "problem.left" : "problem.right",
                 "density and pressure ([rho, u, p]) must be positive");
      }
    }
    x0_ = cfg.get_double("problem.x0", 0.5 * (ctx.mesh.lower[0] + ctx.mesh.upper[0]));
    try {
      solver_.emplace(hydro_.eos().gamma, left_, right_);
    } catch (const PhysicsError& e) {
      cfg.fail("problem.left", e.what());
    }
  }

  void initialize(Mesh& mesh) override {
    for (auto& b : mesh.blocks()) {
      const auto avg = averages(*b, 0.0);
      for_each_cell(b->interior(), [&](int k, int j, int i) {
        const auto& u = avg[i];
        b->field(hydro_.rho_id())(0, k, j, i) = u[0];
        b->field(hydro_.mom_id())(0, k, j, i) = u[1];
        b->field(hydro_.mom_id())(1, k, j, i) = 0.0;
        b->field(hydro_.mom_id())(2, k, j, i) = 0.0;
        b->field(hydro_.energy_id())(0, k, j, i) = u[2];
      });
    }
  }

  bool has_exact() const override { return true; }

  void exact(const Block& b, int fid, double t, Array4& out) const override {
    const auto avg = averages(b, t);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      if (fid == hydro_.rho_id()) {
        out(0, k, j, i) = avg[i][0];
      } else if (fid == hydro_.mom_id()) {
        out(0, k, j, i) = avg[i][1];
        out(1, k, j, i) = 0.0;
        out(2, k, j, i) = 0.0;
      } else if (fid == hydro_.energy_id()) {
        out(0, k, j, i) = avg[i][2];
      }
    });
  }

 private:
  /// Conserved (rho, rho u, E) at position x and time t.
  std::array<double, 3> state(double x, double t) const {
    const Prim1D w = t > 0.0 ? solver_->sample((x - x0_) / t) : (x < x0_ ? left_ : right_);
    const HydroPrim hp{w.rho, {w.u, 0.0, 0.0}, w.p};
    return {w.rho, w.rho * w.u, hydro_.conserved(hydro_.energy_id(), 0, hp)};
  }

  /// Cell averages of (rho, rho u, E) for every x index of the block (ghosts left zero).
  std::vector<std::array<double, 3>> averages(const Block& b, double t) const {
    std::vector<std::array<double, 3>> avg(b.dims()[0], {0.0, 0.0, 0.0});
    const ExactRiemannSolver& rs = *solver_;
    std::vector<double> fronts{x0_};
    if (t > 0.0) {
      fronts.clear();
      for (double s :
           {rs.left_head(), rs.left_tail(), rs.u_star(), rs.right_tail(), rs.right_head()}) {
        fronts.push_back(x0_ + s * t);
      }
    }
    // 3-point Gauss-Legendre on [-1, 1].
    const double gx[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
    const double gw[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
    for (int i = b.ng[0]; i < b.ng[0] + b.n[0]; ++i) {
      const double lo = b.lower[0] + (i - b.ng[0]) * b.dx[0], hi = lo + b.dx[0];
      std::vector<double> cuts{lo};
      for (double f : fronts) {
        if (f > lo && f < hi) cuts.push_back(f);
      }
      cuts.push_back(hi);
      std::sort(cuts.begin(), cuts.end());
      std::array<double, 3> sum{0.0, 0.0, 0.0};
      for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        const double a = cuts[c], h = 0.5 * (cuts[c + 1] - cuts[c]);
        for (int q = 0; q < 3; ++q) {
          const auto u = state(a + h * (1.0 + gx[q]), t);
          for (int v = 0; v < 3; ++v) sum[v] += gw[q] * h * u[v];
        }
      }
      for (int v = 0; v < 3; ++v) avg[i][v] = sum[v] / (hi - lo);
    }
    return avg;
  }

  const HydroModule& hydro_;
  Prim1D left_, right_;
  double x0_ = 0.5;
  std::optional<ExactRiemannSolver> solver_;
};

}  // namespace

std::unique_ptr<Problem> make_hydro_riemann(const ProblemContext& ctx) {
  return std::make_unique<RiemannProblem>(ctx);
}

}  // namespace tessera
