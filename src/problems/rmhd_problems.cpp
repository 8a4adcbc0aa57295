// Radiation-MHD problems ([physics.mhd] + [physics.rad_fld]): the radiation-damped linear MHD
// wave (issue 7, ladder item 9).
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/physics/mhd.hpp"
#include "tessera/physics/rad_fld.hpp"
#include "tessera/problems/plane_wave.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

using Vec3 = std::array<double, 3>;

inline double sinc(double z) {
  return z == 0.0 ? 1.0 : std::sin(z) / z;
}

/// One eigenmode of the linearised radiation-MHD system (tools/rmhd-dispersion) on a uniform,
/// magnetised background in radiative equilibrium: rho0, p0, B0 = (Bn, Bt1, Bt2) in the wave
/// frame of PlaneWaveFrame (k along the box diagonal over the used axes), v0 = u0 n,
/// E0 = a_rad T0^4 with T0 = mu p0 / (rho0 R). The state is background + A Re(X exp(i k.x)),
/// X the complex eigenvector (drho, dv_n, dv_t1, dv_t2, dB_t1, dB_t2, dp, dE) from the tool
/// (problem.eigenvector_re / _im), so the run is the initial value of exactly that mode and
/// its decay and phase can be measured against the tool's omega. Cell averages of the
/// sinusoid (sinc factors) for the cell fields; dB from the vector potential
/// A = -(k x b_r) sin(phi)/k^2 - (k x b_i) cos(phi)/k^2 (curl A = b_r cos phi - b_i sin phi),
/// integrated along the edges, so div B = 0 to round-off in 2D/3D.
/// Keys: problem.rho, problem.pressure, problem.field (3, wave frame), problem.velocity (uniform
/// flow u0 along k, default 0: the mode is Doppler-shifted by k u0), problem.amplitude,
/// problem.eigenvector_re, problem.eigenvector_im (8 each).
class RmhdLinearWave : public Problem {
 public:
  explicit RmhdLinearWave(const ProblemContext& ctx)
      : mhd_(ctx.module<MhdModule>("rmhd_linear_wave")),
        rad_(ctx.module<RadFldModule>("rmhd_linear_wave")),
        ndim_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    rho0_ = cfg.get_double("problem.rho", 1.0, Range::positive());
    p0_ = cfg.get_double("problem.pressure", 1.0, Range::positive());
    const auto bw = cfg.get_doubles("problem.field", {0.0, 0.0, 0.0}, 3);
    const double u0 = cfg.get_double("problem.velocity", 0.0);
    amplitude_ = cfg.get_double("problem.amplitude", 1e-5);
    const auto xr = cfg.require_doubles("problem.eigenvector_re", 8);
    const auto xi = cfg.get_doubles("problem.eigenvector_im", std::vector<double>(8, 0.0), 8);
    const PlaneWaveFrame frame(ctx.mesh);
    k_ = frame.k;
    kk_ = frame.kmag;
    for (int a = 0; a < ndim_; ++a) lower_[a] = ctx.mesh.lower[a];
    const Vec3 n = frame.n, t1 = frame.t1, t2 = frame.t2;
    for (int a = 0; a < 3; ++a) {
      b0_[a] = bw[0] * n[a] + bw[1] * t1[a] + bw[2] * t2[a];
      v0_[a] = u0 * n[a];
      for (int part = 0; part < 2; ++part) {
        const auto& x = part == 0 ? xr : xi;
        dv_[part][a] = x[1] * n[a] + x[2] * t1[a] + x[3] * t2[a];
        db_[part][a] = x[4] * t1[a] + x[5] * t2[a];
      }
    }
    for (int part = 0; part < 2; ++part) {
      const auto& x = part == 0 ? xr : xi;
      drho_[part] = x[0];
      dp_[part] = x[6];
      derad_[part] = x[7];
      // k x b / |k|^2 for the vector potential.
      const Vec3& b = db_[part];
      kxb_[part] = {(k_[1] * b[2] - k_[2] * b[1]) / (kk_ * kk_),
                    (k_[2] * b[0] - k_[0] * b[2]) / (kk_ * kk_),
                    (k_[0] * b[1] - k_[1] * b[0]) / (kk_ * kk_)};
    }
    const double g = mhd_.eos().gamma;
    const double t0 = rad_.temperature(rho0_, p0_ / (g - 1.0));
    erad0_ = rad_.a_rad() * t0 * t0 * t0 * t0;  // radiative equilibrium
  }

  double phase(const Vec3& x) const {
    double ph = 0.0;
    for (int a = 0; a < ndim_; ++a) ph += k_[a] * (x[a] - lower_[a]);
    return ph;
  }

  void initialize(Mesh& mesh) override {
    auto potential = [&](int c, const Vec3& x, double len) {
      const double ph = phase(x);
      return -amplitude_ * (kxb_[0][c] * std::sin(ph) + kxb_[1][c] * std::cos(ph)) *
             (c < ndim_ ? sinc(0.5 * k_[c] * len) : 1.0);
    };
    auto direct = [&](int a, const Vec3&) { return b0_[a]; };
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      mhd_.set_face_field(b, potential, direct);
      double avg = amplitude_;  // cell average of cos / sin over the cell: sinc factors
      for (int a = 0; a < ndim_; ++a) avg *= sinc(0.5 * k_[a] * b.dx[a]);
      Array4& er = b.field(rad_.erad_id());
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const double ph = phase({b.center(0, i), b.center(1, j), b.center(2, k)});
        const double cr = avg * std::cos(ph), ci = -avg * std::sin(ph);  // Re(X e^{i ph})
        MhdPrim w;
        w.rho = rho0_ + drho_[0] * cr + drho_[1] * ci;
        w.p = p0_ + dp_[0] * cr + dp_[1] * ci;
        for (int a = 0; a < 3; ++a) w.v[a] = v0_[a] + dv_[0][a] * cr + dv_[1][a] * ci;
        w.b = mhd_.cell_field(b, k, j, i);
        mhd_.set_primitive(b, k, j, i, w);
        er(0, k, j, i) = erad0_ + derad_[0] * cr + derad_[1] * ci;
      });
    }
  }

 private:
  const MhdModule& mhd_;
  const RadFldModule& rad_;
  int ndim_;
  Vec3 k_{0.0, 0.0, 0.0}, lower_{0.0, 0.0, 0.0}, b0_{0.0, 0.0, 0.0}, v0_{0.0, 0.0, 0.0};
  double kk_ = 1.0, rho0_ = 1.0, p0_ = 1.0, amplitude_ = 1e-5, erad0_ = 0.0;
  // [0] real, [1] imaginary parts of the eigenvector (velocity and field in x, y, z).
  std::array<Vec3, 2> dv_{}, db_{}, kxb_{};
  std::array<double, 2> drho_{}, dp_{}, derad_{};
};

}  // namespace

std::unique_ptr<Problem> make_rmhd_linear_wave(const ProblemContext& ctx) {
  return std::make_unique<RmhdLinearWave>(ctx);
}

}  // namespace tessera
