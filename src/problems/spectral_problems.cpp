// Initial conditions for the pseudo-spectral Navier-Stokes solver ([physics.spectral_ns]).
// Fields are point values at the collocation points (cell centres), not cell averages: that is
// what a pseudo-spectral state is, and exact() returns the same kind of values.
//
//   spectral_taylor_green  2D: u = U sin(kx) cos(ky) F, v = -U cos(kx) sin(ky) F,
//                          F = exp(-(2 nu k^2 + lambda) t) (exact; REFERENCES.md);
//                          3D: u = U sin x cos y cos z, v = -U cos x sin y cos z, w = 0
//                          (Brachet et al. 1983; the Re = 1600 benchmark with nu = 1/1600).
//   spectral_kolmogorov    laminar u = F / (nu k_f^2 + lambda) sin(k_f y) (exact steady state),
//                          plus an optional streamfunction perturbation at chosen x-wavenumbers
//                          and an optional random field (neural-PDE initial conditions).
//   spectral_random        random solenoidal field with E(k) ~ k^4 exp(-2 (k/k0)^2).
//   spectral_snapshot      the state read from a previous snapshot of the same mesh.
#include <fmt/format.h>

#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/io/h5.hpp"
#include "tessera/io/snapshot.hpp"
#include "tessera/physics/spectral_ns.hpp"
#include "tessera/problems/problem.hpp"

namespace tessera {

namespace {

/// Side lengths and lower corner of the box.
struct Box {
  std::array<double, 3> lo{}, len{1.0, 1.0, 1.0};
  explicit Box(const MeshParams& m) {
    for (int a = 0; a < m.ndim; ++a) lo[a] = m.lower[a], len[a] = m.upper[a] - m.lower[a];
  }
  /// 2 pi x / L along axis a, measured from the lower corner.
  double phase(int a, double x) const { return 2.0 * M_PI * (x - lo[a]) / len[a]; }
};

/// Random solenoidal spectral velocity with E(k) ~ k^4 exp(-2 (k/k0)^2) and total energy e0:
/// mode amplitudes from hashed_gaussian (rank-count independent), scaled by
/// sqrt(E(k) / (shell surface)), projected, then rescaled so that the energy is e0 exactly.
void set_random_field(Mesh& mesh, SpectralNSModule& m, double e0, double k0, std::uint64_t seed,
                      bool add) {
  const int nd = mesh.ndim();
  auto spectrum_amp = [&](const Mode& md) {
    const double k = std::sqrt(md.k2);
    if (k == 0.0) return 0.0;
    const double ek = std::pow(k / k0, 4) * std::exp(-2.0 * (k / k0) * (k / k0));
    const double shell = nd == 3 ? 4.0 * M_PI * k * k : 2.0 * M_PI * k;
    return std::sqrt(ek / shell);
  };
  // First pass: shape only, to measure its energy; second pass: scaled to e0.
  const auto base = [&](const Mode& md) {
    auto g = hashed_gaussian(seed, 0x5eed, md.m);
    const double a = spectrum_amp(md);
    std::array<Complex, 3> u{};
    for (int c = 0; c < nd; ++c) u[c] = a * g[c];
    return u;
  };
  // Keep the existing state (e.g. a laminar flow) when adding.
  std::vector<std::vector<double>> keep;
  if (add) {
    for (auto& b : mesh.blocks()) {
      const Array4& u = b->field(m.velocity_id());
      keep.emplace_back(u.data(), u.data() + u.size());
    }
  }
  m.set_from_spectral_velocity(mesh, base);
  const double e = m.physical_energy(mesh);
  const double s = e > 0.0 ? std::sqrt(e0 / e) : 0.0;
  m.set_from_spectral_velocity(mesh, [&](const Mode& md) {
    auto u = base(md);
    for (auto& x : u) x *= s;
    return u;
  });
  if (add) {
    std::size_t i = 0;
    for (auto& b : mesh.blocks()) {
      Array4& u = b->field(m.velocity_id());
      for (std::size_t q = 0; q < u.size(); ++q) u.data()[q] += keep[i][q];
      ++i;
    }
    m.set_from_velocity(mesh);
  }
}

class TaylorGreen : public Problem {
 public:
  explicit TaylorGreen(const ProblemContext& ctx)
      : m_(ctx.module<SpectralNSModule>("spectral_taylor_green")),
        box_(ctx.mesh),
        nd_(ctx.mesh.ndim) {
    amp_ = ctx.cfg.get_double("problem.amplitude", 1.0);
    wn_ = static_cast<int>(ctx.cfg.get_int("problem.wavenumber", 1, Range::at_least(1)));
    if (nd_ == 2 && box_.len[0] != box_.len[1]) {
      ctx.cfg.fail("mesh.upper",
                   "the 2D Taylor-Green vortex is an exact solution only on a square "
                   "box: give equal side lengths");
    }
  }
  void initialize(Mesh& mesh) override {
    for (auto& b : mesh.blocks()) velocity(*b, 0.0, b->field(m_.velocity_id()));
    m_.set_from_velocity(mesh);
  }
  bool has_exact() const override {
    return nd_ == 2 && m_.forcing() == SpectralNSModule::Forcing::kNone;
  }
  void exact(const Block& b, int fid, double t, Array4& out) const override {
    if (fid == m_.velocity_id()) {
      velocity(b, t, out);
    } else if (fid == m_.vorticity_id()) {
      // w = v_x - u_y = 2 U k sin(kx) sin(ky) F.
      const double k = 2.0 * M_PI * wn_ / box_.len[0];
      const double f = decay(t);
      for_each_cell(b.interior(), [&](int kk, int j, int i) {
        const double x = wn_ * box_.phase(0, b.center(0, i)),
                     y = wn_ * box_.phase(1, b.center(1, j));
        out(0, kk, j, i) = 2.0 * amp_ * k * std::sin(x) * std::sin(y) * f;
      });
    } else if (fid == m_.pressure_id()) {
      // p = (U^2/4) (cos 2kx + cos 2ky) F^2 (REFERENCES.md), zero mean like the solver's.
      const double f = decay(t);
      for_each_cell(b.interior(), [&](int kk, int j, int i) {
        const double x = wn_ * box_.phase(0, b.center(0, i)),
                     y = wn_ * box_.phase(1, b.center(1, j));
        out(0, kk, j, i) = 0.25 * amp_ * amp_ * (std::cos(2 * x) + std::cos(2 * y)) * f * f;
      });
    }
  }

 private:
  double decay(double t) const {
    const double k = 2.0 * M_PI * wn_ / box_.len[0];
    return std::exp(-(2.0 * m_.nu() * k * k + m_.drag()) * t);
  }
  void velocity(const Block& b, double t, Array4& u) const {
    const double f = nd_ == 2 ? decay(t) : 1.0;
    for_each_cell(b.interior(), [&](int kk, int j, int i) {
      const double x = wn_ * box_.phase(0, b.center(0, i)), y = wn_ * box_.phase(1, b.center(1, j));
      const double cz = nd_ == 3 ? std::cos(wn_ * box_.phase(2, b.center(2, kk))) : 1.0;
      u(0, kk, j, i) = amp_ * std::sin(x) * std::cos(y) * cz * f;
      u(1, kk, j, i) = -amp_ * std::cos(x) * std::sin(y) * cz * f;
      if (nd_ == 3) u(2, kk, j, i) = 0.0;
    });
  }
  SpectralNSModule& m_;
  Box box_;
  int nd_;
  double amp_ = 1.0;
  int wn_ = 1;
};

class Kolmogorov : public Problem {
 public:
  explicit Kolmogorov(const ProblemContext& ctx)
      : m_(ctx.module<SpectralNSModule>("spectral_kolmogorov")),
        box_(ctx.mesh),
        nd_(ctx.mesh.ndim) {
    const auto& cfg = ctx.cfg;
    laminar_ = cfg.get_bool("problem.laminar", true);
    pert_ = cfg.get_double("problem.perturbation_amplitude", 0.0, Range::non_negative());
    for (auto v : cfg.get_ints("problem.perturbation_kx", {1, 2, 3}, 0, Range::at_least(1))) {
      pert_kx_.push_back(static_cast<int>(v));
    }
    rand_e_ = cfg.get_double("problem.random_energy", 0.0, Range::non_negative());
    rand_k0_ = cfg.get_double("problem.random_k0", 4.0, Range::positive());
    seed_ = static_cast<std::uint64_t>(cfg.get_int("problem.seed", 1, Range::non_negative()));
    if (m_.forcing() != SpectralNSModule::Forcing::kKolmogorov && laminar_) {
      cfg.fail("problem.laminar",
               "the laminar Kolmogorov profile needs physics.spectral_ns.forcing "
               "= \"kolmogorov\" (or set problem.laminar = false)");
    }
    const double kf = 2.0 * M_PI * m_.forcing_wavenumber() / box_.len[1];
    u0_ = laminar_ ? m_.forcing_amplitude() / (m_.nu() * kf * kf + m_.drag()) : 0.0;
    kf_ = kf;
  }
  void initialize(Mesh& mesh) override {
    for (auto& b : mesh.blocks()) {
      Array4& u = b->field(m_.velocity_id());
      laminar(*b, u);
      if (pert_ > 0.0) {
        // psi' = A sum_m sum_{l=0..4} cos(m x~ + l y~ + theta_ml) / (m^2 + l^2): every Floquet
        // sector l mod n of each x-wavenumber m is excited (fixed phases theta = 0.7 m + 1.3 l),
        // so the fastest-growing eigenmode of each m appears. u' = psi'_y, v' = -psi'_x.
        const double ax = 2.0 * M_PI / box_.len[0], ay = 2.0 * M_PI / box_.len[1];
        for_each_cell(b->interior(), [&](int k, int j, int i) {
          const double x = box_.phase(0, b->center(0, i)), y = box_.phase(1, b->center(1, j));
          for (int mx : pert_kx_) {
            for (int l = 0; l <= 4; ++l) {
              const double s = std::sin(mx * x + l * y + 0.7 * mx + 1.3 * l) * pert_ /
                               static_cast<double>(mx * mx + l * l);
              u(0, k, j, i) += -l * ay * s;
              u(1, k, j, i) += mx * ax * s;
            }
          }
        });
      }
    }
    m_.set_from_velocity(mesh);
    if (rand_e_ > 0.0) set_random_field(mesh, m_, rand_e_, rand_k0_, seed_, true);
  }
  bool has_exact() const override { return laminar_ && pert_ == 0.0 && rand_e_ == 0.0; }
  void exact(const Block& b, int fid, double /*t*/, Array4& out) const override {
    if (fid == m_.velocity_id()) {
      laminar(b, out);
    } else if (fid == m_.vorticity_id()) {
      // w = -du/dy; in 3D the vorticity vector is (0, 0, -du/dy).
      const int c = nd_ == 3 ? 2 : 0;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        if (nd_ == 3) out(0, k, j, i) = out(1, k, j, i) = 0.0;
        out(c, k, j, i) =
            -u0_ * kf_ * std::cos(m_.forcing_wavenumber() * box_.phase(1, b.center(1, j)));
      });
    }
  }

 private:
  void laminar(const Block& b, Array4& u) const {
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      u(0, k, j, i) = u0_ * std::sin(m_.forcing_wavenumber() * box_.phase(1, b.center(1, j)));
      for (int c = 1; c < nd_; ++c) u(c, k, j, i) = 0.0;
    });
  }
  SpectralNSModule& m_;
  Box box_;
  int nd_;
  bool laminar_ = true;
  double pert_ = 0.0, rand_e_ = 0.0, rand_k0_ = 4.0, u0_ = 0.0, kf_ = 1.0;
  std::vector<int> pert_kx_;
  std::uint64_t seed_ = 1;
};

class RandomField : public Problem {
 public:
  explicit RandomField(const ProblemContext& ctx)
      : m_(ctx.module<SpectralNSModule>("spectral_random")) {
    e0_ = ctx.cfg.get_double("problem.energy", 0.5, Range::positive());
    k0_ = ctx.cfg.get_double("problem.k0", 4.0, Range::positive());
    seed_ = static_cast<std::uint64_t>(ctx.cfg.get_int("problem.seed", 1, Range::non_negative()));
  }
  void initialize(Mesh& mesh) override { set_random_field(mesh, m_, e0_, k0_, seed_, false); }

 private:
  SpectralNSModule& m_;
  double e0_ = 0.5, k0_ = 4.0;
  std::uint64_t seed_ = 1;
};

class FromSnapshot : public Problem {
 public:
  explicit FromSnapshot(const ProblemContext& ctx)
      : m_(ctx.module<SpectralNSModule>("spectral_snapshot")) {
    file_ = ctx.cfg.require_string("problem.file");
  }
  void initialize(Mesh& mesh) override {
    h5::Handle f = h5::open_parallel_read(file_, mesh.comm().get());
    // 2D: the vorticity is the state; 3D: the velocity.
    const int fid = mesh.ndim() == 3 ? m_.velocity_id() : m_.vorticity_id();
    std::vector<int> ids{fid};
    if (m_.scalar_id() >= 0) ids.push_back(m_.scalar_id());  // the file must hold theta then
    read_mesh_fields(f, file_, mesh, ids);
    m_.refresh(mesh);
  }

 private:
  SpectralNSModule& m_;
  std::string file_;
};

}  // namespace

std::unique_ptr<Problem> make_spectral_taylor_green(const ProblemContext& ctx) {
  return std::make_unique<TaylorGreen>(ctx);
}
std::unique_ptr<Problem> make_spectral_kolmogorov(const ProblemContext& ctx) {
  return std::make_unique<Kolmogorov>(ctx);
}
std::unique_ptr<Problem> make_spectral_random(const ProblemContext& ctx) {
  return std::make_unique<RandomField>(ctx);
}
std::unique_ptr<Problem> make_spectral_snapshot(const ProblemContext& ctx) {
  return std::make_unique<FromSnapshot>(ctx);
}

}  // namespace tessera
