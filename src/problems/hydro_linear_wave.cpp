// Linear waves of the Euler equations (sound, entropy, shear) along the box diagonal
// direction k = 2 pi (1/L_x, 1/L_y, 1/L_z) (axes of the mesh only), so the wave is periodic in
// the box whatever the dimension; on Athena's [3, 1.5, 1.5] box this is the oblique wave of
// Gardiner & Stone (2008, sec. 4.1): wavelength 1, sin(alpha) = 2/3, sin(beta) = 2/sqrt(5).
// The state is U = U0 + A R sin(k.x - omega t) with R the conserved right eigenvector
// (Toro 2009 eq. 3.83, rotated from the wave frame) and omega = lambda |k|. Initial and exact
// states are exact cell averages: the average of sin over a cell is the centre value times
// prod_a sinc(k_a dx_a / 2). The exact solution is the initial state translated; for the
// shear wave with viscosity mu it also decays as exp(-(mu/rho0) k^2 t) (sound and entropy
// waves are exact only without viscosity and conduction).
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/physics/hydro.hpp"
#include "tessera/problems/plane_wave.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

class LinearWave : public Problem {
 public:
  explicit LinearWave(const ProblemContext& ctx)
      : hydro_(ctx.module<HydroModule>("linear_wave")), ndim_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    const std::string wave = cfg.get_string("problem.wave", "sound", {"sound", "entropy", "shear"});
    const bool left = cfg.get_string("problem.direction", "right", {"right", "left"}) == "left";
    amplitude_ = cfg.get_double("problem.amplitude", 1e-6);
    const double g = hydro_.eos().gamma;
    rho0_ = cfg.get_double("problem.density", 1.0, Range::positive());
    p0_ = cfg.get_double("problem.pressure", 1.0 / g, Range::positive());
    // Background flow along the wave vector; "left" mirrors the whole problem.
    u0_ = cfg.get_double("problem.velocity", 0.0) * (left ? -1.0 : 1.0);
    const double sign = left ? -1.0 : 1.0;
    const PlaneWaveFrame frame(ctx.mesh);
    k_ = frame.k;
    for (int a = 0; a < ndim_; ++a) lower_[a] = ctx.mesh.lower[a];
    const double kk = frame.kmag;
    // A transverse unit vector for the shear wave: in the x-y plane unless n is along z.
    const std::array<double, 3> n = frame.n, t1 = frame.t1;
    const double c = std::sqrt(g * p0_ / rho0_);
    const double h0 = c * c / (g - 1.0) + 0.5 * u0_ * u0_;  // total specific enthalpy
    // Conserved eigenvectors in the wave frame (rho, m_n, m_t1, m_t2, E), Toro eq. 3.83.
    std::array<double, 5> r{};
    double speed = 0.0;
    if (wave == "sound") {
      speed = u0_ + sign * c;
      r = {1.0, speed, 0.0, 0.0, h0 + sign * u0_ * c};
    } else if (wave == "entropy") {
      speed = u0_;
      r = {1.0, u0_, 0.0, 0.0, 0.5 * u0_ * u0_};
    } else {
      speed = u0_;
      r = {0.0, 0.0, 1.0, 0.0, 0.0};
      // With viscosity the shear wave decays as exp(-nu k^2 t), nu = mu / rho0 (the linearised
      // momentum equation is a diffusion equation for the transverse velocity).
      decay_rate_ = hydro_.viscosity() / rho0_ * kk * kk;
    }
    omega_ = speed * kk;
    dr_ = r[0];
    de_ = r[4];
    for (int a = 0; a < 3; ++a) dm_[a] = r[1] * n[a] + r[2] * t1[a];
    for (int a = 0; a < 3; ++a) m0_[a] = rho0_ * u0_ * n[a];
    e0_ = p0_ / (g - 1.0) + 0.5 * rho0_ * u0_ * u0_;
  }

  void initialize(Mesh& mesh) override {
    for (auto& b : mesh.blocks()) {
      for (int fid : {hydro_.rho_id(), hydro_.mom_id(), hydro_.energy_id()}) {
        exact(*b, fid, 0.0, b->field(fid));
      }
    }
  }

  bool has_exact() const override { return true; }

  void exact(const Block& b, int fid, double t, Array4& out) const override {
    double factor = amplitude_ * std::exp(-decay_rate_ * t);
    for (int a = 0; a < ndim_; ++a) {
      const double z = 0.5 * k_[a] * b.dx[a];
      factor *= std::sin(z) / z;
    }
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      double phase = -omega_ * t;
      const std::array<int, 3> idx{i, j, k};
      for (int a = 0; a < ndim_; ++a) phase += k_[a] * (b.center(a, idx[a]) - lower_[a]);
      const double s = factor * std::sin(phase);
      if (fid == hydro_.rho_id()) {
        out(0, k, j, i) = rho0_ + dr_ * s;
      } else if (fid == hydro_.mom_id()) {
        for (int a = 0; a < 3; ++a) out(a, k, j, i) = m0_[a] + dm_[a] * s;
      } else if (fid == hydro_.energy_id()) {
        out(0, k, j, i) = e0_ + de_ * s;
      }
    });
  }

 private:
  const HydroModule& hydro_;
  int ndim_;
  std::array<double, 3> k_{0.0, 0.0, 0.0}, lower_{0.0, 0.0, 0.0};
  double amplitude_ = 1e-6, rho0_ = 1.0, p0_ = 0.6, u0_ = 0.0, omega_ = 0.0;
  double dr_ = 0.0, de_ = 0.0, e0_ = 0.0;
  double decay_rate_ = 0.0;  // 1/T; non-zero only for a viscous shear wave
  std::array<double, 3> dm_{}, m0_{};
};

}  // namespace

std::unique_ptr<Problem> make_hydro_linear_wave(const ProblemContext& ctx) {
  return std::make_unique<LinearWave>(ctx);
}

}  // namespace tessera
