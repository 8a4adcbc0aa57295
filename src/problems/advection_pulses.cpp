// Gaussian and square pulses advected by a constant velocity: exact solutions are the initial
// profile translated by v t, with periodic images along periodic axes. Both initial state and
// exact solution are exact cell averages (separable profiles integrate in closed form), so the
// measured error is the scheme's error alone.
#include <fmt/format.h>

#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/physics/advection.hpp"
#include "tessera/problems/cell_average.hpp"
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
    // Separable profile: the cell average is the product of 1D cell averages.
    const std::array<double, 3> c{c0_[0] + v_[0] * t, c0_[1] + v_[1] * t, c0_[2] + v_[2] * t};
    const auto avg = separable_cell_averages(
        b, mesh_, c, 2, [&](double lo, double hi, double x) { return integral_1d(lo, hi, x); });
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      out(0, k, j, i) = background_ + amplitude_ * avg[0][i] * avg[1][j] * avg[2][k];
    });
  }

 private:
  /// Integral over [lo, hi] of the 1D profile centred at c.
  double integral_1d(double lo, double hi, double c) const {
    if (shape_ == Shape::kGaussian) return gaussian_integral(lo, hi, c, width_);
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
