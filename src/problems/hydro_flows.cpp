// Hydro problems without exact solutions: Shu-Osher (shock / entropy-wave interaction), the
// 2D/3D blast wave and the smooth Kelvin-Helmholtz instability.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/core/random.hpp"
#include "tessera/physics/hydro.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

/// Shu & Osher (1989, J. Comput. Phys. 83, Example 8): a Mach 3 shock at x = -4 running into
/// a sinusoidal density field, on [-5, 5] to t = 1.8 with gamma = 1.4. Left (post-shock)
/// state (3.857143, 2.629369, 10.33333); right rho = 1 + 0.2 sin(5 x), u = 0, p = 1.
/// Densities are cell averages (3-point Gauss); the shock sits on a cell face when x0 does.
class ShuOsher : public Problem {
 public:
  explicit ShuOsher(const ProblemContext& ctx) : hydro_(ctx.module<HydroModule>("shu_osher")) {
    x0_ = ctx.cfg.get_double("problem.x0", -4.0);
    amplitude_ = ctx.cfg.get_double("problem.amplitude", 0.2);
    wavenumber_ = ctx.cfg.get_double("problem.wavenumber", 5.0);
  }

  void initialize(Mesh& mesh) override {
    const double gx[3] = {-std::sqrt(0.6), 0.0, std::sqrt(0.6)};
    const double gw[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};  // weights / 2
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const double xc = b.center(0, i);
        HydroPrim w;
        if (xc < x0_) {
          w = {3.857143, {2.629369, 0.0, 0.0}, 10.33333};
        } else {
          double rho = 0.0;
          for (int q = 0; q < 3; ++q) {
            rho +=
                gw[q] * (1.0 + amplitude_ * std::sin(wavenumber_ * (xc + 0.5 * b.dx[0] * gx[q])));
          }
          w = {rho, {0.0, 0.0, 0.0}, 1.0};
        }
        hydro_.set_primitive(b, k, j, i, w);
      });
    }
  }

 private:
  const HydroModule& hydro_;
  double x0_ = -4.0, amplitude_ = 0.2, wavenumber_ = 5.0;
};

/// Blast wave (as in Stone et al. 2008, sec. 8.6, and Athena's test suite): uniform density
/// and pressure p_out, pressure p_in inside a sphere (circle in 2D) of radius r0. Cells whose
/// centre lies inside get p_in.
class BlastWave : public Problem {
 public:
  explicit BlastWave(const ProblemContext& ctx)
      : hydro_(ctx.module<HydroModule>("blast")), ndim_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    radius_ = cfg.get_double("problem.radius", 0.1, Range::positive());
    rho_ = cfg.get_double("problem.density", 1.0, Range::positive());
    p_in_ = cfg.get_double("problem.pressure_in", 10.0, Range::positive());
    p_out_ = cfg.get_double("problem.pressure_out", 0.1, Range::positive());
    std::vector<double> mid;
    for (int a = 0; a < ndim_; ++a) mid.push_back(0.5 * (ctx.mesh.lower[a] + ctx.mesh.upper[a]));
    const auto c = cfg.get_doubles("problem.center", mid, static_cast<std::size_t>(ndim_));
    for (int a = 0; a < ndim_; ++a) center_[a] = c[a];
  }

  void initialize(Mesh& mesh) override {
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const std::array<int, 3> idx{i, j, k};
        double r2 = 0.0;
        for (int a = 0; a < ndim_; ++a) {
          const double d = b.center(a, idx[a]) - center_[a];
          r2 += d * d;
        }
        hydro_.set_primitive(b, k, j, i,
                             {rho_, {0.0, 0.0, 0.0}, r2 < radius_ * radius_ ? p_in_ : p_out_});
      });
    }
  }

 private:
  const HydroModule& hydro_;
  int ndim_;
  double radius_ = 0.1, rho_ = 1.0, p_in_ = 10.0, p_out_ = 0.1;
  std::array<double, 3> center_{0.0, 0.0, 0.0};
};

/// Kelvin-Helmholtz instability with smooth shear layers and a single-mode seed, McNally,
/// Lyra & Passy (2012, ApJS 201, 18, eqs. 1-4): on the unit square (mapped from the mesh
/// box), rho and v_x switch between (rho1, U1) and (rho2, U2) through exponential ramps of
/// width L at y = 1/4 and 3/4; v_y = A sin(4 pi x); uniform pressure. Periodic boundaries.
class KelvinHelmholtz : public Problem {
 public:
  explicit KelvinHelmholtz(const ProblemContext& ctx)
      : hydro_(ctx.module<HydroModule>("kelvin_helmholtz")), mesh_(ctx.mesh) {
    const auto& cfg = ctx.cfg;
    rho1_ = cfg.get_double("problem.rho1", 1.0, Range::positive());
    rho2_ = cfg.get_double("problem.rho2", 2.0, Range::positive());
    u1_ = cfg.get_double("problem.u1", 0.5);
    u2_ = cfg.get_double("problem.u2", -0.5);
    width_ = cfg.get_double("problem.width", 0.025, Range::positive());
    amplitude_ = cfg.get_double("problem.amplitude", 0.01);
    p_ = cfg.get_double("problem.pressure", 2.5, Range::positive());
    if (mesh_.ndim < 2) cfg.fail("problem.name", "kelvin_helmholtz needs a 2D or 3D mesh");
    // Randomised seed (ensembles): v_y = A sum_m a_m sin(2 pi m x + phi_m), m = 1..modes, with
    // a_m, phi_m drawn from problem.seed and sum a_m^2 = 1 (the rms of the single mode).
    const auto seed = cfg.get_int("problem.seed", -1, Range::at_least(-1));
    const auto modes = cfg.get_int("problem.random_modes", 4, Range::at_least(1));
    if (seed >= 0) {
      double norm = 0.0;
      for (std::int64_t m = 1; m <= modes; ++m) {
        const auto s = static_cast<std::uint64_t>(seed);
        const double a = hashed_uniform(s, 0x4b48, 2 * static_cast<std::uint64_t>(m));
        const double ph =
            2.0 * M_PI * hashed_uniform(s, 0x4b48, 2 * static_cast<std::uint64_t>(m) + 1);
        modes_.push_back({static_cast<double>(m), a, ph});
        norm += a * a;
      }
      for (auto& md : modes_) md[1] /= std::sqrt(norm);
    } else {
      modes_.push_back({2.0, 1.0, 0.0});  // McNally et al.: sin(4 pi x)
    }
  }

  void initialize(Mesh& mesh) override {
    const double rm = 0.5 * (rho1_ - rho2_), um = 0.5 * (u1_ - u2_);
    const double lx = mesh_.upper[0] - mesh_.lower[0], ly = mesh_.upper[1] - mesh_.lower[1];
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const double x = (b.center(0, i) - mesh_.lower[0]) / lx;
        const double y = (b.center(1, j) - mesh_.lower[1]) / ly;
        double rho, vx;
        if (y < 0.25) {
          const double e = std::exp((y - 0.25) / width_);
          rho = rho1_ - rm * e;
          vx = u1_ - um * e;
        } else if (y < 0.5) {
          const double e = std::exp((0.25 - y) / width_);
          rho = rho2_ + rm * e;
          vx = u2_ + um * e;
        } else if (y < 0.75) {
          const double e = std::exp((y - 0.75) / width_);
          rho = rho2_ + rm * e;
          vx = u2_ + um * e;
        } else {
          const double e = std::exp((0.75 - y) / width_);
          rho = rho1_ - rm * e;
          vx = u1_ - um * e;
        }
        double vy = 0.0;
        for (const auto& md : modes_) vy += md[1] * std::sin(2.0 * M_PI * md[0] * x + md[2]);
        hydro_.set_primitive(b, k, j, i, {rho, {vx, amplitude_ * vy, 0.0}, p_});
      });
    }
  }

 private:
  const HydroModule& hydro_;
  MeshParams mesh_;
  double rho1_ = 1.0, rho2_ = 2.0, u1_ = 0.5, u2_ = -0.5, width_ = 0.025, amplitude_ = 0.01,
         p_ = 2.5;
  std::vector<std::array<double, 3>> modes_;  // (x wavenumber m, amplitude, phase) of v_y
};

}  // namespace

std::unique_ptr<Problem> make_hydro_shu_osher(const ProblemContext& ctx) {
  return std::make_unique<ShuOsher>(ctx);
}
std::unique_ptr<Problem> make_hydro_blast(const ProblemContext& ctx) {
  return std::make_unique<BlastWave>(ctx);
}
std::unique_ptr<Problem> make_hydro_kelvin_helmholtz(const ProblemContext& ctx) {
  return std::make_unique<KelvinHelmholtz>(ctx);
}

}  // namespace tessera
