// Convection-diffusion problems with exact solutions:
//  - convdiff_gaussian: a Gaussian pulse advected at constant velocity and spread by constant
//    diffusion, sigma(t)^2 = sigma0^2 + 2 D t, decaying as exp(-lambda t); periodic images;
//  - ogata_banks: continuous injection c(0, t) = c0 into a column initially clean (Ogata &
//    Banks, USGS Prof. Paper 411-A, 1961), the second term evaluated with erfcx;
//  - convdiff_mms: manufactured solution with variable D in 1D/2D/3D on the unit box;
//  - barenblatt: the Barenblatt-Pattle source solution of the porous-medium equation;
//  - convdiff_rotation: a Gaussian in a solid-body rotation with a time-varying rate.
#include <fmt/format.h>

#include <algorithm>
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

/// Barenblatt-Pattle solution of u_t = lap(u^m) in d dimensions (Barenblatt 1952; Pattle 1959;
/// Vazquez, The Porous Medium Equation (2007), eq. 4.3):
///   U(x, tau) = tau^(-alpha) [C - kappa |x|^2 tau^(-2 beta)]_+^(1/(m-1)),
///   alpha = d / (d (m-1) + 2), beta = alpha / d, kappa = alpha (m-1) / (2 m d),
/// front r_f = sqrt(C / kappa) tau^beta. The module solves u_t = div(k u^p grad u) =
/// (k/m) lap(u^m) with m = p + 1, so tau = (k/m) (t0 + t): the run starts (t = 0) from the
/// profile at Barenblatt time t0 and the check time 2 t0 is t = t0.
class Barenblatt : public Problem {
 public:
  explicit Barenblatt(const ProblemContext& ctx) : mesh_(ctx.mesh) {
    auto& m = ctx.module<ConvDiffModule>("barenblatt");
    if (m.diffusion_law() != DiffusionLaw::kPower || !(m.power_exponent() > 0.0))
      ctx.cfg.fail("physics.convdiff.diffusion_law",
                   "barenblatt needs diffusion_law = \"power\" with power_exponent > 0");
    for (int s = 0; s < m.num_scalars(); ++s) {
      if (m.decay(s) != 0.0) ctx.cfg.fail("physics.convdiff.decay", "barenblatt has no decay");
    }
    for (int a = 0; a < mesh_.ndim; ++a) {
      if (m.velocity()[a] != 0.0)
        ctx.cfg.fail("physics.convdiff.velocity", "barenblatt has no advection: set 0");
    }
    d_ = mesh_.ndim;
    mexp_ = m.power_exponent() + 1.0;
    scale_ = m.power_k() / mexp_;
    alpha_ = d_ / (d_ * (mexp_ - 1.0) + 2.0);
    beta_ = alpha_ / d_;
    kappa_ = alpha_ * (mexp_ - 1.0) / (2.0 * mexp_ * d_);
    t0_ = ctx.cfg.get_double("problem.t0", 1.0, Range::positive());
    c_ = ctx.cfg.get_double("problem.C", 1.0, Range::positive());
    const auto nd = static_cast<std::size_t>(d_);
    std::vector<double> mid(nd);
    for (std::size_t a = 0; a < nd; ++a) mid[a] = 0.5 * (mesh_.lower[a] + mesh_.upper[a]);
    const auto c = ctx.cfg.get_doubles("problem.center", mid, nd);
    for (std::size_t a = 0; a < nd; ++a) x0_[a] = c[a];
    subcells_ = static_cast<int>(ctx.cfg.get_int("problem.subcells", 4, Range::at_least(1)));
    const double thr = ctx.cfg.get_double("problem.front_threshold", 1e-3, Range::positive());
    names_ = m.scalar_names();
    // The support must stay inside the domain until t_end (zero-flux walls then are exact).
    const double t_end = ctx.cfg.get_double("time.t_end", 1.0);
    for (int a = 0; a < d_; ++a) {
      const double room = std::min(x0_[a] - mesh_.lower[a], mesh_.upper[a] - x0_[a]);
      if (front(t_end) >= room)
        ctx.cfg.fail("problem.t0",
                     fmt::format("the Barenblatt front reaches {:.4g} at t_end, outside the "
                                 "domain (room {:.4g} along x{}): enlarge the domain",
                                 front(t_end), room, a + 1));
    }
    // Front threshold relative to the peak at the start: the implicit solve spreads an
    // exponentially small tail ahead of the front, which a relative 1e-3 ignores.
    m.set_front_monitor(x0_, thr * peak(0.0), [this](double t) { return front(t); });
  }
  double tau(double t) const { return scale_ * (t0_ + t); }
  double front(double t) const { return std::sqrt(c_ / kappa_) * std::pow(tau(t), beta_); }
  double peak(double t) const {
    return std::pow(tau(t), -alpha_) * std::pow(c_, 1.0 / (mexp_ - 1.0));
  }
  double point(double r2, double t) const {
    const double ta = tau(t);
    const double base = c_ - kappa_ * r2 * std::pow(ta, -2.0 * beta_);
    if (base <= 0.0) return 0.0;
    return std::pow(ta, -alpha_) * std::pow(base, 1.0 / (mexp_ - 1.0));
  }
  void initialize(Mesh& mesh) override {
    for (const auto& n : names_) {
      const int fid = mesh.fields().id(n);
      for (auto& b : mesh.blocks()) exact(*b, fid, 0.0, b->field(fid));
    }
  }
  bool has_exact() const override { return true; }
  /// Cell averages: 1D exactly (3-point Gauss on each side of the front, the profile being a
  /// polynomial for m = 2); 2D/3D by 3-point Gauss on subcells^d sub-cells (the kink at the
  /// front costs O(h^2 / subcells) in the cells it crosses, far below the scheme's error).
  void exact(const Block& b, int, double t, Array4& out) const override {
    const double rf = front(t);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const std::array<int, 3> idx{i, j, k};
      std::array<double, 3> lo{0, 0, 0};
      for (int a = 0; a < d_; ++a) lo[a] = b.lower[a] + (idx[a] - b.ng[a]) * b.dx[a] - x0_[a];
      if (d_ == 1) {
        const double a = lo[0], c = lo[0] + b.dx[0];
        auto f = [&](double x) { return point(x * x, t); };
        double sum = 0.0;
        std::array<double, 4> cuts{a, -rf, rf, c};
        std::sort(cuts.begin(), cuts.end());
        for (int q = 0; q < 3; ++q) {
          const double l = std::max(a, cuts[q]), h = std::min(c, cuts[q + 1]);
          if (h > l) sum += (h - l) * gauss3(l, h, f);
        }
        out(0, k, j, i) = sum / b.dx[0];
        return;
      }
      const int ns = subcells_;
      const double w[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};
      const double g[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
      double sum = 0.0;
      const int nz = d_ > 2 ? ns : 1, qz = d_ > 2 ? 3 : 1;
      for (int sz = 0; sz < nz; ++sz)
        for (int sy = 0; sy < ns; ++sy)
          for (int sx = 0; sx < ns; ++sx)
            for (int cz = 0; cz < qz; ++cz)
              for (int cy = 0; cy < 3; ++cy)
                for (int cx = 0; cx < 3; ++cx) {
                  const int sub[3] = {sx, sy, sz}, q[3] = {cx, cy, cz};
                  double r2 = 0.0, wt = 1.0;
                  for (int a = 0; a < d_; ++a) {
                    const double h = b.dx[a] / ns;
                    const double x = lo[a] + (sub[a] + 0.5 + 0.5 * g[q[a]]) * h;
                    r2 += x * x;
                    wt *= w[q[a]];
                  }
                  sum += wt * point(r2, t);
                }
      out(0, k, j, i) = sum / std::pow(static_cast<double>(ns), d_);
    });
  }

 private:
  MeshParams mesh_;
  int d_ = 1, subcells_ = 4;
  double mexp_ = 2.0, scale_ = 1.0, alpha_ = 1.0, beta_ = 1.0, kappa_ = 1.0, t0_ = 1.0, c_ = 1.0;
  std::array<double, 3> x0_{0.0, 0.0, 0.0};
  std::vector<std::string> names_;
};

/// A Gaussian carried by the solid-body rotation v = omega(t) (-(y - yc), x - xc) about
/// (xc, yc) with omega(t) = omega0 (1 + a sin(omega0 t)) (so the field varies in space and
/// time), while it diffuses with constant D. Rotation about a fixed point commutes with
/// isotropic diffusion, so the exact solution is the diffusing Gaussian (sigma^2 = sigma0^2 +
/// 2 D t, peak (sigma0/sigma)^2) centred at the initial centre rotated by
/// theta(t) = omega0 t + a (1 - cos(omega0 t)).
class Rotation : public Problem {
 public:
  explicit Rotation(const ProblemContext& ctx) : mesh_(ctx.mesh) {
    auto& m = ctx.module<ConvDiffModule>("convdiff_rotation");
    if (mesh_.ndim != 2) ctx.cfg.fail("mesh.cells", "convdiff_rotation is a 2D problem");
    for (int a = 0; a < 2; ++a) {
      if (m.velocity()[a] != 0.0)
        ctx.cfg.fail("physics.convdiff.velocity",
                     "convdiff_rotation prescribes the velocity itself: set 0 (or omit it)");
    }
    if (m.diffusion_law() != DiffusionLaw::kConstant)
      ctx.cfg.fail("physics.convdiff.diffusion_law", "convdiff_rotation needs constant D");
    d_ = m.diffusivity();
    names_ = m.scalar_names();
    omega0_ = ctx.cfg.get_double("problem.omega", 2.0 * M_PI);
    amod_ = ctx.cfg.get_double("problem.modulation", 0.5, Range::between(-1.0, 1.0));
    sigma0_ = ctx.cfg.get_double("problem.width", 0.1, Range::positive());
    const std::vector<double> mid{0.5 * (mesh_.lower[0] + mesh_.upper[0]),
                                  0.5 * (mesh_.lower[1] + mesh_.upper[1])};
    const auto rc = ctx.cfg.get_doubles("problem.rotation_center", mid, 2);
    const auto c0 = ctx.cfg.get_doubles("problem.center", mid, 2);
    rc_ = {rc[0], rc[1]};
    c0_ = {c0[0], c0[1]};
    const double wmax = std::abs(omega0_) * (1.0 + std::abs(amod_));
    const double ymax =
        std::max(std::abs(mesh_.upper[1] - rc_[1]), std::abs(mesh_.lower[1] - rc_[1]));
    const double xmax =
        std::max(std::abs(mesh_.upper[0] - rc_[0]), std::abs(mesh_.lower[0] - rc_[0]));
    m.set_velocity(
        [this](int axis, const std::array<double, 3>& x, double t) {
          const double w = omega(t);
          return axis == 0 ? -w * (x[1] - rc_[1]) : w * (x[0] - rc_[0]);
        },
        {wmax * ymax, wmax * xmax, 0.0});
  }
  double omega(double t) const { return omega0_ * (1.0 + amod_ * std::sin(omega0_ * t)); }
  double theta(double t) const { return omega0_ * t + amod_ * (1.0 - std::cos(omega0_ * t)); }
  void initialize(Mesh& mesh) override {
    for (const auto& n : names_) {
      const int fid = mesh.fields().id(n);
      for (auto& b : mesh.blocks()) exact(*b, fid, 0.0, b->field(fid));
    }
  }
  bool has_exact() const override { return true; }
  void exact(const Block& b, int, double t, Array4& out) const override {
    const double th = theta(t), ct = std::cos(th), st = std::sin(th);
    const double dx = c0_[0] - rc_[0], dy = c0_[1] - rc_[1];
    const std::array<double, 3> c{rc_[0] + ct * dx - st * dy, rc_[1] + st * dx + ct * dy, 0.0};
    const double sig = std::sqrt(sigma0_ * sigma0_ + 2.0 * d_ * t);
    MeshParams open = mesh_;
    open.periodic = {false, false, false};  // no images: the pulse stays clear of the walls
    auto avg = separable_cell_averages(b, open, c, 0, [&](double lo, double hi, double x) {
      return gaussian_integral(lo, hi, x, sig);
    });
    const double amp = (sigma0_ / sig) * (sigma0_ / sig);
    for_each_cell(b.interior(),
                  [&](int k, int j, int i) { out(0, k, j, i) = amp * avg[0][i] * avg[1][j]; });
  }

 private:
  MeshParams mesh_;
  double d_ = 0.0, omega0_ = 2 * M_PI, amod_ = 0.5, sigma0_ = 0.1;
  std::array<double, 2> rc_{}, c0_{};
  std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<Problem> make_barenblatt(const ProblemContext& ctx) {
  return std::make_unique<Barenblatt>(ctx);
}
std::unique_ptr<Problem> make_convdiff_rotation(const ProblemContext& ctx) {
  return std::make_unique<Rotation>(ctx);
}

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
