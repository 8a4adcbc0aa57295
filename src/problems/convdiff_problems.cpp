// Convection-diffusion problems with exact solutions:
//  - convdiff_gaussian: a Gaussian pulse advected at constant velocity and spread by constant
//    diffusion, sigma(t)^2 = sigma0^2 + 2 D t, decaying as exp(-lambda t); periodic images;
//  - ogata_banks: continuous injection c(0, t) = c0 into a column initially clean (Ogata &
//    Banks, USGS Prof. Paper 411-A, 1961), the second term evaluated with erfcx;
//  - convdiff_mms: manufactured solution with variable D in 1D/2D/3D on the unit box.
#include <fmt/format.h>

#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/core/random.hpp"
#include "tessera/physics/convdiff.hpp"
#include "tessera/problems/cell_average.hpp"
#include "tessera/problems/problem.hpp"
#include "tessera/solvers/fv_diffusion.hpp"

namespace tessera {

namespace {

/// Scaled complementary error function exp(z^2) erfc(z) for z >= 0: direct below z = 25
/// (erfc(25) ~ 8e-274 is still a normal double), else the asymptotic series (Abramowitz &
/// Stegun 7.1.23) whose first omitted term is below 1e-12 relative there.
double erfcx(double z) {
  if (z < 25.0) return std::exp(z * z) * std::erfc(z);
  const double r = 1.0 / (2.0 * z * z);
  return (1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r))) / (z * std::sqrt(M_PI));
}

/// 1D cell averages (over ghosted indices) from a point function by 3-point Gauss-Legendre
/// quadrature (exact for quintics: its error is far below the schemes' second-order error).
template <typename F>
double gauss3(double lo, double hi, F&& f) {
  const double c = 0.5 * (lo + hi), h = 0.5 * (hi - lo), q = h * std::sqrt(0.6);
  return (5.0 * f(c - q) + 8.0 * f(c) + 5.0 * f(c + q)) / 18.0;
}

class GaussianPulse : public Problem {
 public:
  explicit GaussianPulse(const ProblemContext& ctx) : mesh_(ctx.mesh) {
    auto& m = ctx.module<ConvDiffModule>("convdiff_gaussian");
    mod_ = &m;
    v_ = m.velocity();
    d_ = m.diffusivity();
    for (int s = 0; s < m.num_scalars(); ++s) {
      names_.push_back(m.scalar_names()[s]);
      decay_.push_back(m.decay(s));
    }
    const auto nd = static_cast<std::size_t>(mesh_.ndim);
    std::vector<double> mid(nd);
    for (std::size_t a = 0; a < nd; ++a) mid[a] = 0.5 * (mesh_.lower[a] + mesh_.upper[a]);
    const auto c = ctx.cfg.get_doubles("problem.center", mid, nd);
    for (std::size_t a = 0; a < nd; ++a) c0_[a] = c[a];
    // Randomised centre (ensembles): uniform over the domain, drawn from problem.seed.
    const auto seed = ctx.cfg.get_int("problem.seed", -1, Range::at_least(-1));
    if (seed >= 0) {
      if (ctx.cfg.has("problem.center")) {
        ctx.cfg.fail("problem.seed",
                     "give either problem.center or problem.seed (which draws "
                     "the centre), not both");
      }
      for (std::size_t a = 0; a < nd; ++a) {
        const double u = hashed_uniform(static_cast<std::uint64_t>(seed), 0xce47e4, a);
        c0_[a] = mesh_.lower[a] + u * (mesh_.upper[a] - mesh_.lower[a]);
      }
    }
    sigma0_ = ctx.cfg.get_double("problem.width", 0.1, Range::positive());
    amplitude_ = ctx.cfg.get_double("problem.amplitude", 1.0);
  }
  void initialize(Mesh& mesh) override {
    for (const auto& n : names_) {
      const int fid = mesh.fields().id(n);
      for (auto& b : mesh.blocks()) exact(*b, fid, 0.0, b->field(fid));
    }
  }
  bool has_exact() const override { return true; }
  void exact(const Block& b, int fid, double t, Array4& out) const override {
    // A Gaussian of variance sigma0^2 spreads to sigma^2 = sigma0^2 + 2 D t with its peak
    // scaled by sigma0 / sigma per axis, while its centre moves with v.
    const double sig = std::sqrt(sigma0_ * sigma0_ + 2.0 * d_ * t);
    const std::array<double, 3> c{c0_[0] + v_[0] * t, c0_[1] + v_[1] * t, c0_[2] + v_[2] * t};
    auto avg = separable_cell_averages(b, mesh_, c, 3, [&](double lo, double hi, double x) {
      return gaussian_integral(lo, hi, x, sig);
    });
    for (int a = 0; a < mesh_.ndim; ++a) {
      for (int i = b.ng[a]; i < b.ng[a] + b.n[a]; ++i) avg[a][i] *= sigma0_ / sig;
    }
    double lam = 0.0;
    for (int s = 0; s < mod_->num_scalars(); ++s) {
      if (mod_->field_id(s) == fid) lam = decay_[s];
    }
    const double amp = amplitude_ * std::exp(-lam * t);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      out(0, k, j, i) = amp * avg[0][i] * avg[1][j] * avg[2][k];
    });
  }

 private:
  MeshParams mesh_;
  std::array<double, 3> v_{}, c0_{};
  double d_ = 0.0, sigma0_ = 0.1, amplitude_ = 1.0;
  std::vector<std::string> names_;
  std::vector<double> decay_;
  const ConvDiffModule* mod_ = nullptr;  // field ids of the scalars (borrowed)
};

class OgataBanks : public Problem {
 public:
  explicit OgataBanks(const ProblemContext& ctx) : mesh_(ctx.mesh) {
    auto& m = ctx.module<ConvDiffModule>("ogata_banks");
    v_ = m.velocity()[0];
    d_ = m.diffusivity();
    names_ = m.scalar_names();
    c0_ = ctx.cfg.get_double("problem.c0", 1.0);
    if (!(v_ > 0.0) || !(d_ > 0.0)) {
      ctx.cfg.fail("problem.name",
                   "ogata_banks needs physics.convdiff.velocity[0] > 0 and diffusivity > 0");
    }
    for (int s = 0; s < m.num_scalars(); ++s) {
      if (m.decay(s) != 0.0)
        ctx.cfg.fail("physics.convdiff.decay", "ogata_banks has no decay: set 0");
    }
    const BoundaryParams bc = BoundaryParams::from_config(ctx.cfg, mesh_.ndim);
    const FaceBc& in = bc.face[0][0];
    for (const auto& n : names_) {
      const auto it = in.values.find(n);
      const double v = it != in.values.end() ? it->second : in.value;
      if (in.kind != BcKind::kFixed || v != c0_) {
        ctx.cfg.fail(
            "boundary.x1_lower",
            fmt::format("ogata_banks needs a \"fixed\" inlet with value problem.c0 = {}", c0_));
      }
    }
  }
  void initialize(Mesh& mesh) override {
    for (const auto& n : names_) {
      const int fid = mesh.fields().id(n);
      for (auto& b : mesh.blocks()) b->field(fid).fill(0.0);
    }
  }
  bool has_exact() const override { return true; }
  /// C/C0 = 1/2 [erfc((x - v t)/(2 sqrt(D t))) + exp(v x / D) erfc((x + v t)/(2 sqrt(D t)))].
  double point(double x, double t) const {
    if (t <= 0.0) return 0.0;
    const double s = 2.0 * std::sqrt(d_ * t);
    const double z = (x + v_ * t) / s;
    return 0.5 * c0_ * (std::erfc((x - v_ * t) / s) + std::exp(v_ * x / d_ - z * z) * erfcx(z));
  }
  void exact(const Block& b, int, double t, Array4& out) const override {
    const double x0 = mesh_.lower[0];
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double lo = b.lower[0] + (i - b.ng[0]) * b.dx[0];
      out(0, k, j, i) = gauss3(lo, lo + b.dx[0], [&](double x) { return point(x - x0, t); });
    });
  }

 private:
  MeshParams mesh_;
  double v_ = 1.0, d_ = 1.0, c0_ = 1.0;
  std::vector<std::string> names_;
};

/// u = T(t) prod_a sin(pi x_a), T = 1 + 0.5 sin(omega t), on [0, 1]^d with u = 0 on the
/// boundary; D = d0 (1 + 0.5 sin(2 pi x) prod_{a>0} cos(2 pi x_a)); the source makes it exact:
/// S = T' prod sin + lambda u - (grad D . grad u + D lap u).
class Manufactured : public Problem {
 public:
  explicit Manufactured(const ProblemContext& ctx) : mesh_(ctx.mesh) {
    auto& m = ctx.module<ConvDiffModule>("convdiff_mms");
    nd_ = mesh_.ndim;
    d0_ = m.diffusivity();
    omega_ = ctx.cfg.get_double("problem.omega", 2.0 * M_PI, Range::non_negative());
    if (!(d0_ > 0.0))
      ctx.cfg.fail("physics.convdiff.diffusivity", "convdiff_mms needs diffusivity > 0 (d0)");
    for (int a = 0; a < nd_; ++a) {
      if (mesh_.lower[a] != 0.0 || mesh_.upper[a] != 1.0)
        ctx.cfg.fail("mesh.lower", "convdiff_mms runs on the unit box");
      if (m.velocity()[a] != 0.0)
        ctx.cfg.fail("physics.convdiff.velocity", "convdiff_mms has no advection: set 0");
    }
    names_ = m.scalar_names();
    for (int s = 0; s < m.num_scalars(); ++s) {
      const double lam = m.decay(s);
      m.set_source(
          s, [this, lam](const std::array<double, 3>& x, double t) { return source(x, t, lam); });
    }
    m.set_diffusivity([this](const std::array<double, 3>& x) { return dfun(x); }, 1.5 * d0_);
  }
  double phi(int a, double x) const {
    return a == 0 ? std::sin(2 * M_PI * x) : std::cos(2 * M_PI * x);
  }
  double dphi(int a, double x) const {
    return a == 0 ? 2 * M_PI * std::cos(2 * M_PI * x) : -2 * M_PI * std::sin(2 * M_PI * x);
  }
  double dfun(const std::array<double, 3>& x) const {
    double p = 1.0;
    for (int a = 0; a < nd_; ++a) p *= phi(a, x[a]);
    return d0_ * (1.0 + 0.5 * p);
  }
  double time_factor(double t) const { return 1.0 + 0.5 * std::sin(omega_ * t); }
  double ufun(const std::array<double, 3>& x, double t) const {
    double p = time_factor(t);
    for (int a = 0; a < nd_; ++a) p *= std::sin(M_PI * x[a]);
    return p;
  }
  double source(const std::array<double, 3>& x, double t, double lam) const {
    double sp = 1.0;
    for (int a = 0; a < nd_; ++a) sp *= std::sin(M_PI * x[a]);
    const double T = time_factor(t), dT = 0.5 * omega_ * std::cos(omega_ * t);
    const double u = T * sp;
    double grad_dot = 0.0;
    for (int a = 0; a < nd_; ++a) {
      double dd = d0_ * 0.5 * dphi(a, x[a]), du = T * M_PI * std::cos(M_PI * x[a]);
      for (int b = 0; b < nd_; ++b) {
        if (b == a) continue;
        dd *= phi(b, x[b]);
        du *= std::sin(M_PI * x[b]);
      }
      grad_dot += dd * du;
    }
    const double lap = -nd_ * M_PI * M_PI * u;
    return dT * sp + lam * u - (grad_dot + dfun(x) * lap);
  }
  void initialize(Mesh& mesh) override {
    for (const auto& n : names_) {
      const int fid = mesh.fields().id(n);
      for (auto& b : mesh.blocks()) exact(*b, fid, 0.0, b->field(fid));
    }
  }
  bool has_exact() const override { return true; }
  /// Centre values (the cell average to O(h^2), the order being measured).
  void exact(const Block& b, int, double t, Array4& out) const override {
    Array4 tmp;
    fill_block_function(
        mesh_, b, [&](const std::array<double, 3>& x) { return ufun(x, t); }, tmp);
    for_each_cell(b.interior(), [&](int k, int j, int i) { out(0, k, j, i) = tmp(0, k, j, i); });
  }

 private:
  MeshParams mesh_;
  int nd_ = 2;
  double d0_ = 1.0, omega_ = 2 * M_PI;
  std::vector<std::string> names_;
};

/// Chromatography column, linear kinetics, D = 0, step inlet c(0, t) = c0 (REFERENCES.md):
/// with a = alpha k_a x/u, T0 = x/u, tau = t - T0, y = k_d tau, the transfer function
/// exp(-s T0 - a s/(s + k_d)) = exp(-s T0) e^(-a) sum_n (a k_d)^n / (n! (s + k_d)^n) inverts
/// term by term (1/(s (s+k)^n) <-> P(n, k tau)/k^n, P the regularised incomplete gamma):
///   c/c0 = H(tau) [w_0 + sum_{n>=1} w_n P(n, y)],
///   q/c0 = H(tau) (k_a/k_d) sum_{n>=0} w_n P(n+1, y),   w_n = e^(-a) a^n / n!.
class Chromatography : public Problem {
 public:
  explicit Chromatography(const ProblemContext& ctx) : mesh_(ctx.mesh) {
    auto& m = ctx.module<ConvDiffModule>("chromatography");
    mod_ = &m;
    u_ = m.velocity()[0];
    ka_ = m.k_a();
    kd_ = m.k_d();
    alpha_ = m.sorption_alpha();
    c0_ = ctx.cfg.get_double("problem.c0", 1.0);
    if (m.sorption() != Sorption::kLinear || !(kd_ > 0.0) || !(u_ > 0.0) ||
        m.diffusivity() != 0.0) {
      ctx.cfg.fail("problem.name",
                   "chromatography (exact) needs sorption = \"linear\", k_d > 0, "
                   "velocity[0] > 0 and diffusivity = 0");
    }
  }
  void initialize(Mesh& mesh) override {
    for (int s = 0; s < mod_->num_scalars(); ++s) {
      for (auto& b : mesh.blocks()) {
        b->field(mod_->field_id(s)).fill(0.0);
        b->field(mod_->sorbed_id(s)).fill(0.0);
      }
    }
  }
  bool has_exact() const override { return true; }
  /// (c, q) at distance x from the inlet at time t.
  std::array<double, 2> point(double x, double t) const {
    const double tau = t - x / u_;
    if (tau < 0.0) return {0.0, 0.0};
    const double a = alpha_ * ka_ * x / u_, y = kd_ * tau;
    const int nmax = static_cast<int>(a + 12.0 * std::sqrt(a) + 40.0);
    double w = std::exp(-a);           // w_n
    double p = std::exp(-y), cum = 0;  // Poisson(y) term p_j and sum_{j<n} p_j
    double c = w, q = 0.0;
    for (int n = 0; n <= nmax; ++n) {
      // here cum = sum_{j<n} p_j, so P(n, y) = 1 - cum; then P(n+1, y) = 1 - cum - p_n.
      if (n >= 1) c += w * (1.0 - cum);
      cum += p;
      q += w * (1.0 - cum);
      p *= y / (n + 1);
      w *= a / (n + 1);
    }
    return {c0_ * c, c0_ * ka_ / kd_ * q};
  }
  void exact(const Block& b, int fid, double t, Array4& out) const override {
    int which = 0;  // 0: mobile c, 1: adsorbed q (of whichever scalar owns `fid`)
    for (int s = 0; s < mod_->num_scalars(); ++s) {
      if (fid == mod_->sorbed_id(s)) which = 1;
    }
    const double x0 = mesh_.lower[0], xf = u_ * t;  // the front (jump of e^(-a) c0)
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double lo = b.lower[0] + (i - b.ng[0]) * b.dx[0] - x0, hi = lo + b.dx[0];
      auto f = [&](double x) { return point(x, t)[which]; };
      // Integrate the two smooth pieces on either side of the front separately.
      const double v =
          (xf > lo && xf < hi)
              ? ((xf - lo) * gauss3(lo, xf, f) + (hi - xf) * gauss3(xf, hi, f)) / (hi - lo)
              : gauss3(lo, hi, f);
      out(0, k, j, i) = v;
    });
  }

 private:
  MeshParams mesh_;
  const ConvDiffModule* mod_ = nullptr;
  double u_ = 1.0, ka_ = 1.0, kd_ = 1.0, alpha_ = 1.0, c0_ = 1.0;
};

}  // namespace

std::unique_ptr<Problem> make_convdiff_gaussian(const ProblemContext& ctx) {
  return std::make_unique<GaussianPulse>(ctx);
}
std::unique_ptr<Problem> make_ogata_banks(const ProblemContext& ctx) {
  return std::make_unique<OgataBanks>(ctx);
}
std::unique_ptr<Problem> make_convdiff_mms(const ProblemContext& ctx) {
  return std::make_unique<Manufactured>(ctx);
}
std::unique_ptr<Problem> make_chromatography(const ProblemContext& ctx) {
  return std::make_unique<Chromatography>(ctx);
}

}  // namespace tessera
