// Gaussian and square pulses advected by a constant velocity: exact solutions are the initial
// profile translated by v t, with periodic images along periodic axes. Both initial state and
// exact solution are exact cell averages (separable profiles integrate in closed form), so the
// measured error is the scheme's error alone.
#include <fmt/format.h>

#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/physics/advection.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

enum class Shape { kGaussian, kSquare };

class AdvectedPulse : public Problem {
 public:
  AdvectedPulse(const ProblemContext& ctx, Shape shape, const std::string& name)
      : shape_(shape), mesh_(ctx.mesh) {
    auto& adv = ctx.module<AdvectionModule>(name);
    v_ = adv.velocity();
    const auto& cfg = ctx.cfg;
    const auto nd = static_cast<std::size_t>(mesh_.ndim);
    std::vector<double> mid(nd);
    for (std::size_t a = 0; a < nd; ++a) mid[a] = 0.5 * (mesh_.lower[a] + mesh_.upper[a]);
    const auto c = cfg.get_doubles("problem.center", mid, nd);
    for (std::size_t a = 0; a < nd; ++a) c0_[a] = c[a];
    amplitude_ = cfg.get_double("problem.amplitude", 1.0);
    background_ = cfg.get_double("problem.background", 0.0);
    if (shape_ == Shape::kGaussian) {
      width_ = cfg.get_double("problem.width", 0.1, Range::positive());
    } else {
      width_ = cfg.get_double("problem.half_width", 0.15, Range::positive());
    }
  }

  void initialize(Mesh& mesh) override {
    const int fid = mesh.fields().id("u");
    for (auto& b : mesh.blocks()) exact(*b, fid, 0.0, b->field(fid));
  }

  bool has_exact() const override { return true; }

  void exact(const Block& b, int /*fid*/, double t, Array4& out) const override {
    const int nd = mesh_.ndim;
    // Separable profile: the cell average is the product of 1D cell averages.
    std::array<std::vector<double>, 3> avg;
    for (int a = 0; a < 3; ++a) {
      avg[a].assign(b.dims()[a], 1.0);
      if (a >= nd) continue;
      const double len = mesh_.upper[a] - mesh_.lower[a];
      double c = c0_[a] + v_[a] * t;
      if (mesh_.periodic[a])
        c = mesh_.lower[a] + std::fmod(std::fmod(c - mesh_.lower[a], len) + len, len);
      const int images = mesh_.periodic[a] ? 2 : 0;
      for (int i = b.ng[a]; i < b.ng[a] + b.n[a]; ++i) {
        const double lo = b.lower[a] + (i - b.ng[a]) * b.dx[a];
        const double hi = lo + b.dx[a];
        double sum = 0.0;
        for (int m = -images; m <= images; ++m) sum += integral_1d(lo, hi, c + m * len);
        avg[a][i] = sum / (hi - lo);
      }
    }
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      out(0, k, j, i) = background_ + amplitude_ * avg[0][i] * avg[1][j] * avg[2][k];
    });
  }

 private:
  /// Integral over [lo, hi] of the 1D profile centred at c.
  double integral_1d(double lo, double hi, double c) const {
    if (shape_ == Shape::kGaussian) {
      const double s = width_ * std::sqrt(2.0);
      return 0.5 * std::sqrt(M_PI) * s * (std::erf((hi - c) / s) - std::erf((lo - c) / s));
    }
    return std::max(0.0, std::min(hi, c + width_) - std::max(lo, c - width_));
  }

  Shape shape_;
  MeshParams mesh_;
  std::array<double, 3> v_{};
  std::array<double, 3> c0_{};
  double amplitude_ = 1.0, background_ = 0.0, width_ = 0.1;
};

}  // namespace

std::unique_ptr<Problem> make_gaussian_pulse(const ProblemContext& ctx) {
  return std::make_unique<AdvectedPulse>(ctx, Shape::kGaussian, "gaussian_pulse");
}

std::unique_ptr<Problem> make_square_pulse(const ProblemContext& ctx) {
  return std::make_unique<AdvectedPulse>(ctx, Shape::kSquare, "square_pulse");
}

}  // namespace tessera
