// Ideal-MHD test problems: linear waves (exact), shock tubes (Brio & Wu 1988, Ryu & Jones 1995
// 2a), Orszag-Tang vortex, rotor, field-loop advection, blast waves and a blast between walls.
//
// Every problem sets the face field first (a vector potential where the field is not uniform,
// so the discrete div B is zero to round-off from the start), then the cell state with the
// magnetic energy of the cell-centred field taken from those faces.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <functional>

#include "tessera/core/config.hpp"
#include "tessera/physics/mhd.hpp"
#include "tessera/problems/plane_wave.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

using Vec3 = std::array<double, 3>;

/// Sets faces from (potential, direct), then every interior cell from prim(x) with the
/// cell-centred field of those faces.
void initialize_mhd(Mesh& mesh, const MhdModule& mhd, const MhdModule::EdgePotential& potential,
                    const MhdModule::FaceField& direct,
                    const std::function<MhdPrim(const Vec3&)>& prim) {
  for (auto& bp : mesh.blocks()) {
    Block& b = *bp;
    mhd.set_face_field(b, potential, direct);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const Vec3 x{b.center(0, i), b.center(1, j), b.center(2, k)};
      MhdPrim w = prim(x);
      w.b = mhd.cell_field(b, k, j, i);
      mhd.set_primitive(b, k, j, i, w);
    });
  }
}

inline double sinc(double z) {
  return z == 0.0 ? 1.0 : std::sin(z) / z;
}

/// Linear MHD waves (fast, Alfven, slow, entropy) along the box diagonal k = 2 pi (1/L_x,
/// 1/L_y, 1/L_z) over the used axes, as in Stone et al. (2008, ApJS 178, 137, sec. 8.1) and
/// Gardiner & Stone (2008, sec. 4.1). Background (wave frame): rho = 1, p = 1/gamma,
/// B = (1, sqrt 2, 1/2) (normal, t1, t2), flow u0 along k, so the fast, Alfven and slow speeds
/// relative to the flow are 2, 1 and 1/2 for gamma = 5/3. The perturbation is A R sin(k.x -
/// omega t) with R the right eigenvector of the linearised equations (derived in primitive
/// variables: fast/slow from the dispersion relation (l^2 - a^2)(l^2 - ca^2) = l^2 Bt^2/rho,
/// Alfven with dv, dB perpendicular to B_t, entropy with drho only), converted to conserved
/// variables to first order; dB comes from a vector potential (k x dB_hat)/|k|^2 cos(phase),
/// integrated exactly along the edges. Exact solution: the initial state translated.
class MhdLinearWave : public Problem {
 public:
  explicit MhdLinearWave(const ProblemContext& ctx)
      : mhd_(ctx.module<MhdModule>("mhd_linear_wave")), ndim_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    const std::string wave =
        cfg.get_string("problem.wave", "fast", {"fast", "alfven", "slow", "entropy"});
    amplitude_ = cfg.get_double("problem.amplitude", 1e-6);
    const double g = mhd_.eos().gamma;
    const double rho0 = 1.0, p0 = 1.0 / g;
    const double u0 = cfg.get_double("problem.velocity", 0.0);
    const double bn = 1.0, bt1 = std::sqrt(2.0), bt2 = 0.5;
    const PlaneWaveFrame frame(ctx.mesh);
    k_ = frame.k;
    for (int a = 0; a < ndim_; ++a) lower_[a] = ctx.mesh.lower[a];
    const double kk = frame.kmag;
    kk_ = kk;
    const Vec3 n = frame.n, t1 = frame.t1, t2 = frame.t2;
    // Primitive eigenvector in the wave frame: drho, dv (n, t1, t2), dp, dB (t1, t2).
    double drho = 0.0, dp = 0.0, lam = 0.0;
    Vec3 dv{0.0, 0.0, 0.0};
    double db1 = 0.0, db2 = 0.0;
    const double btm = std::hypot(bt1, bt2), e1 = bt1 / btm, e2 = bt2 / btm;  // along B_t
    const double ca2 = bn * bn / rho0, a2 = g * p0 / rho0;
    if (wave == "entropy") {
      drho = 1.0;
    } else if (wave == "alfven") {
      lam = std::sqrt(ca2);
      // dv along B_t rotated by 90 degrees in the transverse plane; dB = -sqrt(rho) dv sgn Bn.
      dv = {0.0, -e2, e1};
      db1 = -std::sqrt(rho0) * dv[1] * std::copysign(1.0, bn);
      db2 = -std::sqrt(rho0) * dv[2] * std::copysign(1.0, bn);
    } else {
      const double b2 = (bn * bn + btm * btm) / rho0;
      const double disc = std::sqrt((a2 - b2) * (a2 - b2) + 4.0 * a2 * btm * btm / rho0);
      lam = std::sqrt(0.5 * (a2 + b2 + (wave == "fast" ? disc : -disc)));
      // dv_n = 1: drho = rho/l, dp = gamma p/l, dB_t = B_t l/(l^2 - ca^2), dv_t = -Bn dB_t/(l rho).
      const double bmag = btm * lam / (lam * lam - ca2);
      dv = {1.0, -bn * bmag * e1 / (lam * rho0), -bn * bmag * e2 / (lam * rho0)};
      drho = rho0 / lam;
      dp = g * p0 / lam;
      db1 = bmag * e1;
      db2 = bmag * e2;
    }
    speed_ = lam + u0;
    // Conserved perturbation to first order (background flow u0 along n).
    dr_ = drho;
    Vec3 dvx{}, v0{}, b0{}, dbx{};
    for (int a = 0; a < 3; ++a) {
      dvx[a] = dv[0] * n[a] + dv[1] * t1[a] + dv[2] * t2[a];
      v0[a] = u0 * n[a];
      b0[a] = bn * n[a] + bt1 * t1[a] + bt2 * t2[a];
      dbx[a] = db1 * t1[a] + db2 * t2[a];
      dm_[a] = drho * v0[a] + rho0 * dvx[a];
      m0_[a] = rho0 * v0[a];
      b0_[a] = b0[a];
      db_[a] = dbx[a];
    }
    de_ = dp / (g - 1.0) + 0.5 * drho * u0 * u0 + rho0 * u0 * dv[0] +
          (b0[0] * dbx[0] + b0[1] * dbx[1] + b0[2] * dbx[2]);
    e0_ = p0 / (g - 1.0) + 0.5 * rho0 * u0 * u0 +
          0.5 * (b0[0] * b0[0] + b0[1] * b0[1] + b0[2] * b0[2]);
    rho0_ = rho0;
    // Vector potential amplitude: A_hat = k x dB / |k|^2 (then curl(A_hat cos) = dB sin).
    a_ = {(k_[1] * dbx[2] - k_[2] * dbx[1]) / (kk * kk),
          (k_[2] * dbx[0] - k_[0] * dbx[2]) / (kk * kk),
          (k_[0] * dbx[1] - k_[1] * dbx[0]) / (kk * kk)};
  }

  double phase(const Vec3& x, double t) const {
    double ph = -speed_ * kk_ * t;
    for (int a = 0; a < ndim_; ++a) ph += k_[a] * (x[a] - lower_[a]);
    return ph;
  }

  void initialize(Mesh& mesh) override {
    auto potential = [&](int c, const Vec3& x, double len) {
      return amplitude_ * a_[c] * std::cos(phase(x, 0.0)) *
             (c < ndim_ ? sinc(0.5 * k_[c] * len) : 1.0);
    };
    auto direct = [&](int a, const Vec3&) { return b0_[a]; };
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      mhd_.set_face_field(b, potential, direct);
      for (int fid : {mhd_.rho_id(), mhd_.mom_id(), mhd_.energy_id()})
        exact(b, fid, 0.0, b.field(fid));
    }
  }

  bool has_exact() const override { return true; }

  void exact(const Block& b, int fid, double t, Array4& out) const override {
    // Cell average of sin over the cell (or over a face: the used axes other than the normal).
    auto factor = [&](int skip) {
      double f = amplitude_;
      for (int a = 0; a < ndim_; ++a) {
        if (a != skip) f *= sinc(0.5 * k_[a] * b.dx[a]);
      }
      return f;
    };
    const double fc = factor(-1);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const Vec3 x{b.center(0, i), b.center(1, j), b.center(2, k)};
      const double s = fc * std::sin(phase(x, t));
      if (fid == mhd_.rho_id()) {
        out(0, k, j, i) = rho0_ + dr_ * s;
      } else if (fid == mhd_.mom_id()) {
        for (int a = 0; a < 3; ++a) out(a, k, j, i) = m0_[a] + dm_[a] * s;
      } else if (fid == mhd_.energy_id()) {
        out(0, k, j, i) = e0_ + de_ * s;
      } else if (fid == mhd_.bcc_id()) {
        for (int a = 0; a < 3; ++a) out(a, k, j, i) = b0_[a] + db_[a] * s;
      } else if (fid == mhd_.bface_id()) {
        for (int a = 0; a < 3; ++a) {
          Vec3 xf = x;
          if (a < ndim_) xf[a] -= 0.5 * b.dx[a];
          out(a, k, j, i) = b0_[a] + db_[a] * factor(a < ndim_ ? a : -1) * std::sin(phase(xf, t));
        }
      }
    });
  }

 private:
  const MhdModule& mhd_;
  int ndim_;
  Vec3 k_{0.0, 0.0, 0.0}, lower_{0.0, 0.0, 0.0};
  double kk_ = 1.0, amplitude_ = 1e-6, speed_ = 0.0, rho0_ = 1.0, dr_ = 0.0, de_ = 0.0, e0_ = 0.0;
  Vec3 dm_{}, m0_{}, b0_{}, db_{}, a_{};
};

/// Shock tubes along x: Brio & Wu (1988; gamma = 2, t = 0.1) and Ryu & Jones (1995) test 2a
/// (gamma = 5/3, t = 0.2), both on [0, 1] with the discontinuity at x0 (default 0.5).
class MhdShockTube : public Problem {
 public:
  explicit MhdShockTube(const ProblemContext& ctx) : mhd_(ctx.module<MhdModule>("mhd_shock_tube")) {
    const auto& cfg = ctx.cfg;
    const std::string preset =
        cfg.get_string("problem.preset", "brio_wu", {"brio_wu", "ryu_jones_2a"});
    x0_ = cfg.get_double("problem.x0", 0.5 * (ctx.mesh.lower[0] + ctx.mesh.upper[0]));
    if (preset == "brio_wu") {
      left_ = {1.0, {0.0, 0.0, 0.0}, 1.0, {0.75, 1.0, 0.0}};
      right_ = {0.125, {0.0, 0.0, 0.0}, 0.1, {0.75, -1.0, 0.0}};
    } else {
      const double s = 1.0 / std::sqrt(4.0 * M_PI);
      left_ = {1.08, {1.2, 0.01, 0.5}, 0.95, {2.0 * s, 3.6 * s, 2.0 * s}};
      right_ = {1.0, {0.0, 0.0, 0.0}, 1.0, {2.0 * s, 4.0 * s, 2.0 * s}};
    }
  }
  void initialize(Mesh& mesh) override {
    // B_x is the same on both sides (a uniform face field); B_y, B_z are per cell in 1D.
    auto direct = [&](int a, const Vec3& x) { return x[0] < x0_ ? left_.b[a] : right_.b[a]; };
    initialize_mhd(mesh, mhd_, {}, direct,
                   [&](const Vec3& x) { return x[0] < x0_ ? left_ : right_; });
  }

 private:
  const MhdModule& mhd_;
  double x0_ = 0.5;
  MhdPrim left_, right_;
};

/// Orszag-Tang vortex on the periodic unit square (as in Stone et al. 2008 sec. 8.3):
/// rho = 25/(36 pi), p = 5/(12 pi), v = (-sin 2 pi y, sin 2 pi x), B = B0 (-sin 2 pi y,
/// sin 4 pi x) with B0 = 1/sqrt(4 pi) from A_z = B0 (cos 4 pi x / (4 pi) + cos 2 pi y / (2 pi)).
class OrszagTang : public Problem {
 public:
  explicit OrszagTang(const ProblemContext& ctx) : mhd_(ctx.module<MhdModule>("orszag_tang")) {}
  void initialize(Mesh& mesh) override {
    const double b0 = 1.0 / std::sqrt(4.0 * M_PI), tp = 2.0 * M_PI;
    auto potential = [&](int c, const Vec3& x, double) {
      return c == 2 ? b0 * (std::cos(2.0 * tp * x[0]) / (2.0 * tp) + std::cos(tp * x[1]) / tp)
                    : 0.0;
    };
    initialize_mhd(mesh, mhd_, potential, {}, [&](const Vec3& x) {
      MhdPrim w;
      w.rho = 25.0 / (36.0 * M_PI);
      w.p = 5.0 / (12.0 * M_PI);
      w.v = {-std::sin(tp * x[1]), std::sin(tp * x[0]), 0.0};
      return w;
    });
  }

 private:
  const MhdModule& mhd_;
};

/// MHD rotor (Balsara & Spicer 1999; Toth 2000 "first rotor"): a dense disc (rho = 10,
/// r < 0.1) spinning at v = 2 at its rim inside rho = 1 at rest, with a linear taper to
/// r = 0.115; p = 1, B_x = 5/sqrt(4 pi), gamma = 1.4, unit square, t = 0.15.
class MhdRotor : public Problem {
 public:
  explicit MhdRotor(const ProblemContext& ctx) : mhd_(ctx.module<MhdModule>("mhd_rotor")) {}
  void initialize(Mesh& mesh) override {
    const double r0 = 0.1, r1 = 0.115, u0 = 2.0, bx = 5.0 / std::sqrt(4.0 * M_PI);
    auto direct = [&](int a, const Vec3&) { return a == 0 ? bx : 0.0; };
    initialize_mhd(mesh, mhd_, {}, direct, [&](const Vec3& x) {
      const double dx = x[0] - 0.5, dy = x[1] - 0.5, r = std::hypot(dx, dy);
      const double f = r < r0 ? 1.0 : (r < r1 ? (r1 - r) / (r1 - r0) : 0.0);
      MhdPrim w;
      w.rho = 1.0 + 9.0 * f;
      w.p = 1.0;
      // Angular velocity u0/r0 inside, tapered to zero at r1.
      const double om = r < r0 ? u0 / r0 : (r < r1 ? f * u0 / r : 0.0);
      w.v = {-om * dy, om * dx, 0.0};
      return w;
    });
  }

 private:
  const MhdModule& mhd_;
};

/// Field-loop advection (Gardiner & Stone 2005 sec. 5.1): A_z = A0 (R - r) for r < R
/// (A0 = 1e-3, R = 0.3), rho = 1, p = 1, v = (2, 1) on [-1, 1] x [-0.5, 0.5], periodic: the
/// loop returns to its start at t = 1 (after one crossing along x and two along y).
class FieldLoop : public Problem {
 public:
  explicit FieldLoop(const ProblemContext& ctx) : mhd_(ctx.module<MhdModule>("field_loop")) {
    amp_ = ctx.cfg.get_double("problem.amplitude", 1e-3);
    radius_ = ctx.cfg.get_double("problem.radius", 0.3, Range::positive());
  }
  void initialize(Mesh& mesh) override {
    auto potential = [&](int c, const Vec3& x, double) {
      const double r = std::hypot(x[0], x[1]);
      return c == 2 && r < radius_ ? amp_ * (radius_ - r) : 0.0;
    };
    initialize_mhd(mesh, mhd_, potential, {}, [&](const Vec3&) {
      MhdPrim w;
      w.v = {2.0, 1.0, 0.0};
      return w;
    });
  }

 private:
  const MhdModule& mhd_;
  double amp_ = 1e-3, radius_ = 0.3;
};

/// MHD blast wave (Gardiner & Stone 2008 sec. 4.3 / Stone et al. 2008 sec. 8.4): p_in inside
/// r < radius, p_out outside, rho = 1, uniform B (magnitude b0 at 45 degrees in the x-y
/// plane); 2D or 3D.
class MhdBlast : public Problem {
 public:
  explicit MhdBlast(const ProblemContext& ctx)
      : mhd_(ctx.module<MhdModule>("mhd_blast")), ndim_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    radius_ = cfg.get_double("problem.radius", 0.1, Range::positive());
    p_in_ = cfg.get_double("problem.pressure_in", 10.0, Range::positive());
    p_out_ = cfg.get_double("problem.pressure_out", 0.1, Range::positive());
    b0_ = cfg.get_double("problem.field", 1.0, Range::non_negative());
    for (int a = 0; a < ndim_; ++a) center_[a] = 0.5 * (ctx.mesh.lower[a] + ctx.mesh.upper[a]);
  }
  void initialize(Mesh& mesh) override {
    const double bxy = b0_ / std::sqrt(2.0);
    auto direct = [&](int a, const Vec3&) { return a < 2 ? bxy : 0.0; };
    initialize_mhd(mesh, mhd_, {}, direct, [&](const Vec3& x) {
      double r2 = 0.0;
      for (int a = 0; a < ndim_; ++a) r2 += (x[a] - center_[a]) * (x[a] - center_[a]);
      MhdPrim w;
      w.p = r2 < radius_ * radius_ ? p_in_ : p_out_;
      return w;
    });
  }

 private:
  const MhdModule& mhd_;
  int ndim_;
  double radius_ = 0.1, p_in_ = 10.0, p_out_ = 0.1, b0_ = 1.0;
  Vec3 center_{0.0, 0.0, 0.0};
};

/// Blast in a box with walls, for the wall_field rules of [physics.mhd] (2D): p_in inside
/// radius `radius` of `center` and of its mirror image about x = 0 (so the state is mirror-
/// symmetric about x = 0, and a run on [-1, 1] periodic in x is the mirror image of one on
/// [0, 1] with walls at x = 0 and 1), p_out outside, rho = 1, at rest, and a field of
/// strength b0 from A_z that matches the module's wall rule on the planes x, y in {0, 1}:
/// "conducting": A_z = (b0/pi) sin(pi x) sin(pi y), tangent to those planes (B_n = 0);
/// "normal": A_z = (b0/pi) cos(pi x) cos(pi y), perpendicular to them (B_t = 0).
class MhdWallBlast : public Problem {
 public:
  explicit MhdWallBlast(const ProblemContext& ctx) : mhd_(ctx.module<MhdModule>("mhd_wall_blast")) {
    const auto& cfg = ctx.cfg;
    radius_ = cfg.get_double("problem.radius", 0.1, Range::positive());
    p_in_ = cfg.get_double("problem.pressure_in", 10.0, Range::positive());
    p_out_ = cfg.get_double("problem.pressure_out", 0.1, Range::positive());
    b0_ = cfg.get_double("problem.field", 1.0, Range::non_negative());
    const auto c = cfg.get_doubles("problem.center", {0.4, 0.45}, 2);
    center_ = {c[0], c[1]};
  }
  void initialize(Mesh& mesh) override {
    const bool normal = mhd_.wall_field() == MhdWallField::kNormal;
    const double amp = b0_ / M_PI;
    // sin(pi x) and cos(pi x) reduced to the nearest integer n first (exact for grid
    // coordinates): exactly zero on the planes x = n, and exactly odd / even about each of
    // them, so the discrete state has the mirror symmetry about x = 1 as well as about 0.
    auto trig = [](double x, bool cosine) {
      const double n = std::round(x), r = M_PI * (x - n);
      const double sign = std::fmod(std::abs(n), 2.0) == 1.0 ? -1.0 : 1.0;
      return sign * (cosine ? std::cos(r) : std::sin(r));
    };
    auto potential = [&](int c, const Vec3& x, double) {
      if (c != 2) return 0.0;
      return normal ? amp * trig(x[0], true) * trig(x[1], true)
                    : amp * trig(x[0], false) * trig(x[1], false);
    };
    initialize_mhd(mesh, mhd_, potential, {}, [&](const Vec3& x) {
      const double dx = std::abs(x[0]) - center_[0], dy = x[1] - center_[1];
      MhdPrim w;
      w.p = dx * dx + dy * dy < radius_ * radius_ ? p_in_ : p_out_;
      return w;
    });
  }

 private:
  const MhdModule& mhd_;
  double radius_ = 0.1, p_in_ = 10.0, p_out_ = 0.1, b0_ = 1.0;
  std::array<double, 2> center_{0.4, 0.45};
};

/// Resistive decay of a force-free field along x: B = B0 (0, sin kx, cos kx), k = 2 pi / L_x,
/// rho = 1, p = p0, v = 0. |B| is uniform and J = k B, so J x B = 0: nothing moves, the
/// Poynting flux eta J x B vanishes, and B decays as exp(-eta k^2 t) exactly while Ohmic
/// heating raises p uniformly (E stays E0 in every cell). Exact solution for the resistive
/// EMF, including its time-step limit.
class ResistiveDecay : public Problem {
 public:
  explicit ResistiveDecay(const ProblemContext& ctx)
      : mhd_(ctx.module<MhdModule>("mhd_resistive_decay")) {
    b0_ = ctx.cfg.get_double("problem.field", 1.0, Range::positive());
    p0_ = ctx.cfg.get_double("problem.pressure", 1.0, Range::positive());
    k_ = 2.0 * M_PI / (ctx.mesh.upper[0] - ctx.mesh.lower[0]);
    lower_ = ctx.mesh.lower[0];
  }
  void initialize(Mesh& mesh) override {
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      mhd_.set_face_field(b, {},
                          [&](int a, const Vec3& x) { return field(a, x[0], 0.0, b.dx[0]); });
      for (int fid : {mhd_.rho_id(), mhd_.mom_id(), mhd_.energy_id()})
        exact(b, fid, 0.0, b.field(fid));
    }
  }
  bool has_exact() const override { return true; }
  void exact(const Block& b, int fid, double t, Array4& out) const override {
    const double g = mhd_.eos().gamma;
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double x = b.center(0, i);
      for (int c = 0; c < out.ncomp(); ++c) {
        double v = 0.0;
        if (fid == mhd_.rho_id()) v = 1.0;
        if (fid == mhd_.energy_id()) v = p0_ / (g - 1.0) + 0.5 * b0_ * b0_;
        // B_y, B_z are cell averages in 1D (the y and z "faces" are the cell).
        if (fid == mhd_.bface_id() || fid == mhd_.bcc_id()) v = field(c, x, t, b.dx[0]);
        out(c, k, j, i) = v;
      }
    });
  }

 private:
  /// Cell average over [x - dx/2, x + dx/2] of component a at time t.
  double field(int a, double x, double t, double dx) const {
    const double amp = b0_ * std::exp(-mhd_.resistivity() * k_ * k_ * t) * sinc(0.5 * k_ * dx);
    const double ph = k_ * (x - lower_);
    return a == 1 ? amp * std::sin(ph) : (a == 2 ? amp * std::cos(ph) : 0.0);
  }
  const MhdModule& mhd_;
  double b0_ = 1.0, p0_ = 1.0, k_ = 2.0 * M_PI, lower_ = 0.0;
};

}  // namespace

std::unique_ptr<Problem> make_mhd_linear_wave(const ProblemContext& ctx) {
  return std::make_unique<MhdLinearWave>(ctx);
}
std::unique_ptr<Problem> make_mhd_shock_tube(const ProblemContext& ctx) {
  return std::make_unique<MhdShockTube>(ctx);
}
std::unique_ptr<Problem> make_orszag_tang(const ProblemContext& ctx) {
  return std::make_unique<OrszagTang>(ctx);
}
std::unique_ptr<Problem> make_mhd_rotor(const ProblemContext& ctx) {
  return std::make_unique<MhdRotor>(ctx);
}
std::unique_ptr<Problem> make_field_loop(const ProblemContext& ctx) {
  return std::make_unique<FieldLoop>(ctx);
}
std::unique_ptr<Problem> make_mhd_wall_blast(const ProblemContext& ctx) {
  return std::make_unique<MhdWallBlast>(ctx);
}
std::unique_ptr<Problem> make_mhd_resistive_decay(const ProblemContext& ctx) {
  return std::make_unique<ResistiveDecay>(ctx);
}
std::unique_ptr<Problem> make_mhd_blast(const ProblemContext& ctx) {
  return std::make_unique<MhdBlast>(ctx);
}

}  // namespace tessera
