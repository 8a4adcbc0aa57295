// Pseudo-spectral incompressible Navier-Stokes (see spectral_ns.hpp for the equations and
// references). Deck section [physics.spectral_ns]:
//   nu                 kinematic viscosity [length^2/time] (required)
//   drag               linear drag coefficient lambda [1/time] (0)
//   scheme             "rk4" (integrating-factor RK4) | "rk3" (integrating-factor SSP-RK3)
//   dealias            "two_thirds" | "phase_shift" | "none" (Nyquist modes are always dropped)
//   dt                 fixed time step [time]; 0: CFL-adaptive (time.cfl)
//   forcing            "none" | "kolmogorov" (F sin(k_f y) x, k_f = 2 pi n / L_y) | "stochastic"
//   forcing_amplitude  F [length/time^2] (1);  forcing_wavenumber  n (4)
//   injection_rate     energy injection rate of the stochastic forcing [length^2/time^3] (0.1)
//   forcing_band       [k_lo, k_hi] band of |k| of the stochastic forcing [1/length] ([1, 3])
//   seed               seed of the stochastic forcing (1)
//   fftw_planner       "measure" | "estimate" | "patient";  fftw_wisdom  path ("" = none)
//   output_vorticity   3D: write the vorticity vector as a field (true)
//   scalar             advect a passive scalar theta (false); scalar_diffusivity kappa
//                      [length^2/time] (required then); scalar_gradient G: source -G v of a
//                      mean scalar gradient G along y (0). The scalar starts at zero (or from
//                      spectral_snapshot) and has its own integrating factor exp(-kappa k^2 t).
//   output_pressure    write the pressure (kinematic, zero mean) as a field (false; costs 6
//                      transforms per step in 2D, 10 in 3D)
//   history_kx_modes   integers m: history column energy_kx<m> = energy in modes |m_x| = m
//   timing_history     history columns step_fft_seconds, step_seconds, step_fft_count (false)
#include "tessera/physics/spectral_ns.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "tessera/core/config.hpp"
#include "tessera/core/timer.hpp"
#include "tessera/io/h5.hpp"

namespace tessera {

namespace {

constexpr Complex kI{0.0, 1.0};

/// i z, exactly (std::complex's general product would go through __muldc3).
inline Complex times_i(Complex z) {
  return {-z.imag(), z.real()};
}

/// splitmix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Uniform number in (0, 1) from a hash.
double unit(std::uint64_t h) {
  return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

/// A standard normal complex vector (3 components) for one global wavenumber: a pure function
/// of (seed, key, m), so every rank count draws the same numbers (Box-Muller on hashed
/// uniforms). For m_x = 0 the mode and its conjugate partner (-m) must agree: the partner with
/// the "negative" (m_y, m_z) returns the conjugate of the canonical one's draw.
std::array<Complex, 3> hashed_gaussian(std::uint64_t seed, std::uint64_t key,
                                       std::array<int, 3> m) {
  bool conj = false;
  if (m[0] == 0 && (m[1] < 0 || (m[1] == 0 && m[2] < 0))) {
    m = {0, -m[1], -m[2]};
    conj = true;
  }
  std::uint64_t h = mix64(seed ^ mix64(key));
  for (int a = 0; a < 3; ++a)
    h = mix64(h ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(m[a]) + (1LL << 40)));
  std::array<Complex, 3> g;
  for (int c = 0; c < 3; ++c) {
    const double u1 = unit(h = mix64(h)), u2 = unit(h = mix64(h));
    const double r = std::sqrt(-2.0 * std::log(u1));
    g[c] = {r * std::cos(2.0 * M_PI * u2), r * std::sin(2.0 * M_PI * u2)};
    if (conj) g[c] = std::conj(g[c]);
  }
  return g;
}

SpectralNSModule::SpectralNSModule(const Config& cfg, int ndim)
    : ndim_(ndim), ncs_(ndim == 3 ? 3 : 1), nst_(ncs_) {
  const std::string p = "physics.spectral_ns.";
  if (ndim < 2) {
    throw ConfigError(
        fmt::format("{}: [physics.spectral_ns] needs a 2D or 3D mesh (mesh.cells "
                    "has {} entry)",
                    cfg.file_name(), ndim));
  }
  nu_ = cfg.require_double(p + "nu", Range::non_negative());
  drag_ = cfg.get_double(p + "drag", 0.0, Range::non_negative());
  scheme_ =
      cfg.get_string(p + "scheme", "rk4", {"rk4", "rk3"}) == "rk3" ? Scheme::kRK3 : Scheme::kRK4;
  const auto dl =
      cfg.get_string(p + "dealias", "two_thirds", {"two_thirds", "phase_shift", "none"});
  dealias_ = dl == "phase_shift" ? Dealias::kPhaseShift
             : dl == "none"      ? Dealias::kNone
                                 : Dealias::kTwoThirds;
  dt_fixed_ = cfg.get_double(p + "dt", 0.0, Range::non_negative());
  cfl_ = cfg.get_double("time.cfl", 0.4, {0.0, 1.0, true});
  const auto fk = cfg.get_string(p + "forcing", "none", {"none", "kolmogorov", "stochastic"});
  forcing_ = fk == "kolmogorov"   ? Forcing::kKolmogorov
             : fk == "stochastic" ? Forcing::kStochastic
                                  : Forcing::kNone;
  famp_ = cfg.get_double(p + "forcing_amplitude", 1.0);
  fn_ = static_cast<int>(cfg.get_int(p + "forcing_wavenumber", 4, Range::at_least(1)));
  inj_rate_ = cfg.get_double(p + "injection_rate", 0.1, Range::non_negative());
  const auto band = cfg.get_doubles(p + "forcing_band", {1.0, 3.0}, 2, Range::non_negative());
  band_ = {band[0], band[1]};
  if (!(band_[1] > band_[0])) cfg.fail(p + "forcing_band", "give [k_lo, k_hi] with k_hi > k_lo");
  seed_ = static_cast<std::uint64_t>(cfg.get_int(p + "seed", 1, Range::non_negative()));
  effort_ = planner_effort_from_string(
      cfg.get_string(p + "fftw_planner", "measure", {"measure", "estimate", "patient"}));
  wisdom_ = cfg.get_string(p + "fftw_wisdom", "");
  output_vorticity_ = cfg.get_bool(p + "output_vorticity", true);
  output_pressure_ = cfg.get_bool(p + "output_pressure", false);
  scalar_ = cfg.get_bool(p + "scalar", false);
  if (scalar_) {
    kappa_ = cfg.require_double(p + "scalar_diffusivity", Range::non_negative());
    scalar_gradient_ = cfg.get_double(p + "scalar_gradient", 0.0);
    nst_ = ncs_ + 1;
  }
  timing_history_ = cfg.get_bool(p + "timing_history", false);
  for (auto m : cfg.get_ints(p + "history_kx_modes", {}, 0, Range::non_negative())) {
    kx_modes_.push_back(static_cast<int>(m));
  }
  // The slab layout needs blocks spanning every axis but the last, in order along it: check
  // the deck now so that `tessera --check` reports it (the rank count is checked at run time).
  const MeshParams mp = MeshParams::from_config(cfg);
  for (int a = 0; a + 1 < ndim; ++a) {
    if (mp.block_cells[a] != mp.cells[a]) {
      cfg.fail("mesh.block_cells",
               fmt::format("[physics.spectral_ns] uses FFTW slabs along the last axis: set "
                           "block_cells[{0}] = cells[{0}] = {1} (blocks span every axis but the "
                           "last)",
                           a, mp.cells[a]));
    }
  }
  if (mp.cells[ndim - 1] / mp.block_cells[ndim - 1] > 1 && mp.curve != CurveKind::kMorton) {
    throw ConfigError(fmt::format(
        "{}: [physics.spectral_ns] needs blocks numbered in order along the last axis: add "
        "mesh.curve = \"morton\" (the Hilbert curve does not visit a column of blocks in order)",
        cfg.file_name()));
  }
}

SpectralNSModule::~SpectralNSModule() = default;

void SpectralNSModule::register_fields(FieldRegistry& reg) {
  FieldSpec v;
  v.name = "velocity";
  v.components = ndim_ == 3 ? std::vector<std::string>{"vel_x", "vel_y", "vel_z"}
                            : std::vector<std::string>{"vel_x", "vel_y"};
  v.vector_axis = ndim_ == 3 ? std::vector<int>{0, 1, 2} : std::vector<int>{0, 1};
  v.units = "length/time";
  v.description = "velocity at the collocation points (cell centres)";
  v.evolved = true;  // checkpointed (2D: restored so that max_dt is right after a restart)
  v.integrated_by_driver = false;
  v.conserved = true;
  if (ndim_ == 2) {
    FieldSpec w;
    w.name = "vorticity";
    w.components = {"omega"};
    w.units = "1/time";
    w.description = "vorticity dv/dx - du/dy at the collocation points (the 2D state)";
    w.evolved = true;
    w.integrated_by_driver = false;
    omega_id_ = reg.add(w);
    vel_id_ = reg.add(v);
  } else {
    vel_id_ = reg.add(v);
    if (output_vorticity_) {
      FieldSpec w;
      w.name = "vorticity";
      w.components = {"omega_x", "omega_y", "omega_z"};
      w.vector_axis = {-1, -1, -1};  // a pseudo-vector: not flipped by reflecting walls
      w.units = "1/time";
      w.description = "vorticity curl u (derived from the spectral velocity)";
      w.evolved = false;
      w.conserved = false;
      omega_id_ = reg.add(w);
    }
  }
  if (scalar_) {
    FieldSpec th;
    th.name = "scalar";
    th.components = {"theta"};
    th.units = "1";
    th.description = "passive scalar (fluctuation about the mean gradient)";
    th.evolved = true;
    th.integrated_by_driver = false;
    scalar_id_ = reg.add(th);
  }
  if (output_pressure_) {
    FieldSpec pr;
    pr.name = "pressure";
    pr.components = {"pressure"};
    pr.units = "length^2/time^2";
    pr.description = "kinematic pressure p / rho with zero mean (from the Poisson equation)";
    pr.evolved = false;
    pr.conserved = false;
    pressure_id_ = reg.add(pr);
  }
}

double SpectralNSModule::max_dt(const Block& b) const {
  if (dt_fixed_ > 0.0) return dt_fixed_ / cfl_;
  const Array4& u = b.field(vel_id_);
  double rate = 0.0;
  for_each_cell(b.interior(), [&](int k, int j, int i) {
    double r = 0.0;
    for (int a = 0; a < ndim_; ++a) r += std::abs(u(a, k, j, i)) / b.dx[a];
    rate = std::max(rate, r);
  });
  return rate > 0.0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
}

SpectralLayout& SpectralNSModule::layout(Mesh& mesh) {
  ensure(mesh);
  return *layout_;
}

double SpectralNSModule::fft_seconds() const {
  return step_fft_seconds_;
}

void SpectralNSModule::ensure(Mesh& mesh) {
  if (layout_) return;
  layout_ = std::make_unique<SpectralLayout>(mesh, effort_, wisdom_);
  SpectralLayout& L = *layout_;
  const std::size_t ns = L.spectral_size();
  const auto& n = L.global_n();
  // Dealiasing mask. 2/3 rule: keep |m_a| <= (n_a - 1)/3, so that the sum of two kept
  // wavenumbers aliases outside the kept range (Canuto et al. 2006, section 3.4.2). Phase
  // shifts: spherical truncation at 2 sqrt(2)/3 of the Nyquist wavenumber (Patterson & Orszag
  // 1971), which removes the double-aliased interactions the two shifts leave.
  mask_.assign(ns, 0.0);
  L.for_each_mode([&](std::size_t s, const Mode& md) {
    if (md.nyquist) return;
    bool keep = true;
    if (dealias_ == Dealias::kTwoThirds) {
      for (int a = 0; a < ndim_; ++a) keep = keep && 3 * std::abs(md.m[a]) <= n[a] - 1;
    } else if (dealias_ == Dealias::kPhaseShift) {
      double r2 = 0.0;
      for (int a = 0; a < ndim_; ++a) {
        const double q = 2.0 * md.m[a] / static_cast<double>(n[a]);
        r2 += q * q;
      }
      keep = r2 <= 8.0 / 9.0;
    }
    mask_[s] = keep ? 1.0 : 0.0;
  });
  if (dealias_ == Dealias::kPhaseShift) {
    phase_ = ComplexBuffer(ns);
    L.for_each_mode([&](std::size_t s, const Mode& md) {
      double ang = 0.0;
      for (int a = 0; a < ndim_; ++a) ang += M_PI * md.m[a] / static_cast<double>(n[a]);
      phase_[s] = std::polar(1.0, ang);
    });
  }
  auto alloc = [&](Spectral& x, int nc) {
    x.clear();
    for (int c = 0; c < nc; ++c) x.push_back(L.make_complex());
  };
  alloc(v_, nst_);
  alloc(s_, nst_);
  alloc(k_, nst_);
  alloc(acc_, nst_);
  if (dealias_ == Dealias::kPhaseShift) alloc(nl2_, nst_);
  nbin_ = flow_inputs() + (scalar_ ? ndim_ : 0);
  alloc(bin_, nbin_);
  for (int q = 0; q < nbin_; ++q) binp_[q] = bin_[q].data();
  if (dealias_ == Dealias::kPhaseShift) {
    alloc(bin2_, nbin_);
    for (int q = 0; q < nbin_; ++q) bin2p_[q] = bin2_[q].data();
  }
  if (scalar_) efs_.assign(ns, 1.0);
  tmp_ = L.make_complex();
  r_.clear();
  const int nreal = ndim_ == 3 ? 9 : 5;
  for (int i = 0; i < nreal; ++i) r_.push_back(L.make_real());
  efh_.assign(ns, 1.0);
  efh_step_ = -1.0;

  // Kolmogorov forcing F sin(k_f y) x: sampled at the collocation points and transformed, so
  // that it is consistent with the transforms of the state. Constant forcing is absorbed into
  // the steady response f / (nu k^2 + lambda): writing w = w_s + phi, the integrating factor
  // then advances phi with no forcing term, and the laminar state is an exact fixed point of
  // the discrete scheme (an integrating-factor RK step is not, for a forced linear mode).
  if (forcing_ == Forcing::kKolmogorov) {
    const double ly = mesh.params().upper[1] - mesh.params().lower[1];
    const double kf = 2.0 * M_PI * fn_ / ly;
    const double y0 = mesh.params().lower[1];
    const double dy = ly / static_cast<double>(n[1]);
    RealBuffer& fx = r_[0];
    fx.fill(0.0);
    L.for_each_point([&](std::size_t q, int, int j, int) {
      fx[q] = famp_ * std::sin(kf * (y0 + (j + 0.5) * dy));
    });
    L.forward(fx.data(), tmp_.data());
    alloc(fsteady_, ncs_);
    alloc(fexplicit_, ncs_);
    L.for_each_mode([&](std::size_t s, const Mode& md) {
      if (mask_[s] == 0.0) return;
      // 2D: curl of (f_x, 0) is -d f_x / dy; 3D: f = (f_x, 0, 0) is already solenoidal.
      const Complex f = ndim_ == 2 ? -kI * md.k[1] * tmp_[s] : tmp_[s];
      const double lin = nu_ * md.k2 + drag_;
      if (lin > 0.0) {
        fsteady_[0][s] = f / lin;
        has_fsteady_ = true;
      } else if (std::abs(f) > 0.0) {
        fexplicit_[0][s] = f;
        has_fexplicit_ = true;
      }
    });
  }
}

void SpectralNSModule::project(Complex* x, Complex* y, Complex* z) const {
  layout_->for_each_mode([&](std::size_t s, const Mode& md) {
    if (md.k2 == 0.0) return;
    const Complex d = (md.k[0] * x[s] + md.k[1] * y[s] + md.k[2] * z[s]) / md.k2;
    x[s] -= md.k[0] * d;
    y[s] -= md.k[1] * d;
    z[s] -= md.k[2] * d;
  });
}

void SpectralNSModule::load_state(Mesh& mesh) {
  SpectralLayout& L = *layout_;
  phys_cached_ = false;
  state_current_ = true;
  const int fid = ndim_ == 3 ? vel_id_ : omega_id_;
  for (int c = 0; c < ncs_; ++c) {
    L.gather(mesh, fid, c, r_[0].data());
    L.forward(r_[0].data(), v_[c].data(), mask_.data());
  }
  if (ndim_ == 3) project(v_[0].data(), v_[1].data(), v_[2].data());
  load_scalar(mesh);
}

void SpectralNSModule::load_scalar(Mesh& mesh) {
  if (!scalar_) return;
  layout_->gather(mesh, scalar_id_, 0, r_[0].data());
  layout_->forward(r_[0].data(), v_[ncs_].data(), mask_.data());
}

void SpectralNSModule::store_state(Mesh& mesh, bool inputs_ready) {
  SpectralLayout& L = *layout_;
  if (!inputs_ready) prepare_inputs();
  RealBuffer& spare = r_.back();  // not one of the cached flow inputs
  if (scalar_) {
    L.backward(v_[ncs_].data(), spare.data());
    L.scatter(spare.data(), mesh, scalar_id_, 0);
  }
  // The pressure uses every work array: before the flow inputs go to r_.
  if (pressure_id_ >= 0) store_pressure(mesh);
  if (ndim_ == 2) {
    L.backward(v_[0].data(), spare.data());
    L.scatter(spare.data(), mesh, omega_id_, 0);
  }
  // The flow inputs of the state: 3D u and curl u, 2D u, v (= psi_y, -psi_x, psi = w / k^2)
  // and grad w. They are the output fields, and the next step's first nonlinear evaluation
  // starts from them.
  for (int q = 0; q < flow_inputs(); ++q) L.backward_destroy(bin_[q].data(), r_[q].data());
  for (int c = 0; c < ndim_; ++c) L.scatter(r_[c].data(), mesh, vel_id_, c);
  if (ndim_ == 3 && omega_id_ >= 0) {
    for (int c = 0; c < 3; ++c) L.scatter(r_[3 + c].data(), mesh, omega_id_, c);
  }
  phys_cached_ = true;
  state_current_ = true;
}

void SpectralNSModule::store_pressure(Mesh& mesh) {
  // Kinematic pressure from the Poisson equation lap p = -d_i u_j d_j u_i (the divergence of
  // the momentum equation; forcing is solenoidal and adds nothing). 2D: the right-hand side is
  // 2 (u_x v_y - u_y v_x) with the gradients from the vorticity. 3D: with the rotational form
  // u_t = u x w - grad P, P = p + |u|^2/2, lap P = div(u x w), so p = P - |u|^2/2.
  SpectralLayout& L = *layout_;
  const std::size_t ns = L.spectral_size(), nr = L.real_alloc();
  phys_cached_ = false;
  if (ndim_ == 2) {
    // r0 = u_x, r1 = u_y, r2 = v_x, r3 = v_y from u = i ky psi, v = -i kx psi, psi = w / k^2.
    for (int q = 0; q < 4; ++q) {
      L.for_each_mode([&](std::size_t s, const Mode& md) {
        const double inv = md.k2 > 0.0 ? 1.0 / md.k2 : 0.0;
        const double kx = md.k[0], ky = md.k[1];
        const double g = q == 0 ? -kx * ky : q == 1 ? -ky * ky : q == 2 ? kx * kx : kx * ky;
        tmp_[s] = g * inv * v_[0][s];
      });
      L.backward_destroy(tmp_.data(), r_[q].data());
    }
    double* rhs = r_[4].data();
    for (std::size_t i = 0; i < nr; ++i) {
      rhs[i] = 2.0 * (r_[0][i] * r_[3][i] - r_[1][i] * r_[2][i]);
    }
    L.forward(rhs, tmp_.data());
    L.for_each_mode([&](std::size_t s, const Mode& md) {
      tmp_[s] = md.k2 > 0.0 ? -mask_[s] * tmp_[s] / md.k2 : Complex{};
    });
    L.backward_destroy(tmp_.data(), r_[0].data());
  } else {
    for (int q = 0; q < 6; ++q) {
      if (q < 3) {
        for (std::size_t s = 0; s < ns; ++s) tmp_[s] = v_[q][s];
      } else {
        const int c = q - 3, a = (c + 1) % 3, b = (c + 2) % 3;
        L.for_each_mode([&](std::size_t s, const Mode& md) {
          tmp_[s] = kI * (md.k[a] * v_[b][s] - md.k[b] * v_[a][s]);
        });
      }
      L.backward_destroy(tmp_.data(), r_[q].data());
    }
    for (std::size_t i = 0; i < nr; ++i) {
      r_[6][i] = r_[1][i] * r_[5][i] - r_[2][i] * r_[4][i];
      r_[7][i] = r_[2][i] * r_[3][i] - r_[0][i] * r_[5][i];
      r_[8][i] = r_[0][i] * r_[4][i] - r_[1][i] * r_[3][i];
    }
    // P = -i k.F / k^2 with F = FFT(u x w), accumulated component by component.
    ComplexBuffer& ph = s_[0];
    for (std::size_t s = 0; s < ns; ++s) ph[s] = 0.0;
    for (int c = 0; c < 3; ++c) {
      L.forward(r_[6 + c].data(), tmp_.data());
      L.for_each_mode([&](std::size_t s, const Mode& md) {
        if (md.k2 > 0.0) ph[s] += -kI * md.k[c] * mask_[s] * tmp_[s] / md.k2;
      });
    }
    L.backward_destroy(ph.data(), r_[3].data());
    double* p = r_[3].data();
    for (std::size_t i = 0; i < nr; ++i) {
      p[i] -= 0.5 * (r_[0][i] * r_[0][i] + r_[1][i] * r_[1][i] + r_[2][i] * r_[2][i]);
    }
    // Zero mean: the k = 0 mode of |u|^2/2 was not removed above.
    double sum = 0.0;
    L.for_each_point([&](std::size_t q, int, int, int) { sum += p[q]; });
    std::vector<double> tot{sum};
    L.sum_inplace(tot);
    const double mean = tot[0] / L.total_points();
    for (std::size_t i = 0; i < nr; ++i) p[i] -= mean;
    L.scatter(p, mesh, pressure_id_, 0);
    return;
  }
  L.scatter(r_[0].data(), mesh, pressure_id_, 0);
}

void SpectralNSModule::refresh(Mesh& mesh) {
  ensure(mesh);
  load_state(mesh);
  store_state(mesh);
}

void SpectralNSModule::set_from_velocity(Mesh& mesh) {
  ensure(mesh);
  SpectralLayout& L = *layout_;
  if (ndim_ == 3) {
    refresh(mesh);
    return;
  }
  phys_cached_ = false;
  ComplexBuffer uh = L.make_complex();
  L.gather(mesh, vel_id_, 0, r_[0].data());
  L.forward(r_[0].data(), uh.data());
  L.gather(mesh, vel_id_, 1, r_[0].data());
  L.forward(r_[0].data(), tmp_.data());
  L.for_each_mode([&](std::size_t s, const Mode& md) {
    v_[0][s] = mask_[s] * kI * (md.k[0] * tmp_[s] - md.k[1] * uh[s]);
  });
  load_scalar(mesh);
  store_state(mesh);
}

void SpectralNSModule::set_from_spectral_velocity(
    Mesh& mesh, const std::function<std::array<Complex, 3>(const Mode&)>& f) {
  ensure(mesh);
  SpectralLayout& L = *layout_;
  L.for_each_mode([&](std::size_t s, const Mode& md) {
    const auto u = f(md);
    if (ndim_ == 3) {
      for (int c = 0; c < 3; ++c) v_[c][s] = mask_[s] * u[c];
    } else {
      v_[0][s] = mask_[s] * kI * (md.k[0] * u[1] - md.k[1] * u[0]);
    }
  });
  if (ndim_ == 3) project(v_[0].data(), v_[1].data(), v_[2].data());
  load_scalar(mesh);
  store_state(mesh);
}

// Inlined into the stage sweeps (a call per mode would cost as much as the work).
[[gnu::always_inline]] inline void SpectralNSModule::inputs_at(std::size_t s, const Mode& md,
                                                               const Complex* st) {
  Complex* const* b = binp_.data();
  if (ndim_ == 3) {
    // u and w = curl u, w_c = d_a u_b - d_b u_a.
    b[0][s] = st[0];
    b[1][s] = st[1];
    b[2][s] = st[2];
    b[3][s] = times_i(md.k[1] * st[2] - md.k[2] * st[1]);
    b[4][s] = times_i(md.k[2] * st[0] - md.k[0] * st[2]);
    b[5][s] = times_i(md.k[0] * st[1] - md.k[1] * st[0]);
  } else {
    // u = psi_y, v = -psi_x with psi = w / k^2; w_x, w_y.
    const double inv = md.k2 > 0.0 ? 1.0 / md.k2 : 0.0;
    b[0][s] = times_i(md.k[1] * st[0]) * inv;
    b[1][s] = times_i(-md.k[0] * st[0]) * inv;
    b[2][s] = times_i(md.k[0] * st[0]);
    b[3][s] = times_i(md.k[1] * st[0]);
  }
  const int nf = flow_inputs();
  if (scalar_) {
    for (int a = 0; a < ndim_; ++a) b[nf + a][s] = times_i(md.k[a] * st[ncs_]);
  }
  if (dealias_ == Dealias::kPhaseShift) {
    // On the grid shifted by half a cell every coefficient carries exp(i k.dx/2).
    for (int q = 0; q < nbin_; ++q) bin2p_[q][s] = b[q][s] * phase_[s];
  }
}

[[gnu::always_inline]] inline void SpectralNSModule::zero_inputs_at(std::size_t s) {
  for (int q = 0; q < nbin_; ++q) binp_[q][s] = 0.0;
  if (dealias_ == Dealias::kPhaseShift) {
    for (int q = 0; q < nbin_; ++q) bin2p_[q][s] = 0.0;
  }
}

void SpectralNSModule::prepare_inputs() {
  phys_cached_ = false;
  const double* mask = mask_.data();
  std::array<const Complex*, 4> vp{};
  for (int c = 0; c < nst_; ++c) vp[c] = v_[c].data();
  layout_->for_each_mode([&](std::size_t s, const Mode& md) {
    if (mask[s] == 0.0) {
      zero_inputs_at(s);
      return;
    }
    std::array<Complex, 4> x;
    for (int c = 0; c < nst_; ++c) x[c] = vp[c][s];
    inputs_at(s, md, x.data());
  });
}

void SpectralNSModule::physical_products(Spectral& in, int first) {
  SpectralLayout& L = *layout_;
  const std::size_t nr = L.real_alloc();
  const int nf = flow_inputs();
  for (int q = first; q < nf; ++q) L.backward_destroy(in[q].data(), r_[q].data());
  if (ndim_ == 2) {
    // r0 = u, r1 = v, r2 = w_x, r3 = w_y; N = -(u w_x + v w_y).
    const double *u = r_[0].data(), *v = r_[1].data(), *wx = r_[2].data(), *wy = r_[3].data();
    double* p = r_[4].data();
    for (std::size_t i = 0; i < nr; ++i) p[i] = -(u[i] * wx[i] + v[i] * wy[i]);
    L.forward_unnormalised(p, k_[0].data());
  } else {
    // r0..r2 = u, r3..r5 = w = curl u; r6..r8 = u x w; N = P[u x w].
    // Distinct arrays (restrict lets the compiler vectorise without overlap checks).
    const double* __restrict ux = r_[0].data();
    const double* __restrict uy = r_[1].data();
    const double* __restrict uz = r_[2].data();
    const double* __restrict wx = r_[3].data();
    const double* __restrict wy = r_[4].data();
    const double* __restrict wz = r_[5].data();
    double* __restrict px = r_[6].data();
    double* __restrict py = r_[7].data();
    double* __restrict pz = r_[8].data();
    for (std::size_t i = 0; i < nr; ++i) {
      px[i] = uy[i] * wz[i] - uz[i] * wy[i];
      py[i] = uz[i] * wx[i] - ux[i] * wz[i];
      pz[i] = ux[i] * wy[i] - uy[i] * wx[i];
    }
    for (int c = 0; c < 3; ++c) L.forward_unnormalised(r_[6 + c].data(), k_[c].data());
  }
  if (scalar_) {
    // Passive scalar: -u.grad(theta) - G v (mean gradient G along y). The velocity is still in
    // r_[0 .. ndim-1]; the vorticity buffers are free again and take the scalar gradient.
    const int g0 = ndim_ == 3 ? 3 : 2;
    for (int a = 0; a < ndim_; ++a) L.backward_destroy(in[nf + a].data(), r_[g0 + a].data());
    double* q = r_[ndim_ == 3 ? 6 : 4].data();
    for (std::size_t i = 0; i < nr; ++i) {
      double adv = 0.0;
      for (int a = 0; a < ndim_; ++a) adv += r_[a][i] * r_[g0 + a][i];
      q[i] = -adv - scalar_gradient_ * r_[1][i];
    }
    L.forward_unnormalised(q, k_[ncs_].data());
  }
}

template <typename Stage>
void SpectralNSModule::nonlinear_stage(int cached, bool prepare_next, Stage&& stage) {
  SpectralLayout& L = *layout_;
  const double inv_n = 1.0 / L.total_points();
  const bool three = ndim_ == 3;
  const int nst = nst_, ncs = ncs_;
  const double* mask = mask_.data();
  std::array<const Complex*, 4> kp{}, nl2p{}, fsp{}, fep{};
  for (int c = 0; c < nst; ++c) {
    kp[c] = k_[c].data();
    if (!nl2_.empty()) nl2p[c] = nl2_[c].data();
  }
  for (int c = 0; c < ncs; ++c) {
    if (has_fsteady_) fsp[c] = fsteady_[c].data();
    if (has_fexplicit_) fep[c] = fexplicit_[c].data();
  }
  // The finished nonlinear term at one mode: normalised and dealiased (2/3 mask or the phase-
  // shift truncation), projected in 3D.
  auto finish = [&](std::size_t s, const Mode& md, Complex* n) {
    const double sm = inv_n * mask[s];
    for (int c = 0; c < nst; ++c) n[c] = kp[c][s] * sm;
    if (three && md.k2 > 0.0) {
      const Complex d = (md.k[0] * n[0] + md.k[1] * n[1] + md.k[2] * n[2]) / md.k2;
      for (int c = 0; c < 3; ++c) n[c] -= md.k[c] * d;
    }
  };
  physical_products(bin_, cached);
  const bool shift = dealias_ == Dealias::kPhaseShift;
  if (shift) {
    // Average of the products on the grid and on the grid shifted by half a cell: the
    // aliasing errors of the two cancel except for double-aliased terms (Patterson & Orszag).
    L.for_each_mode([&](std::size_t s, const Mode& md) {
      if (mask[s] == 0.0) return;
      std::array<Complex, 4> n;
      finish(s, md, n.data());
      for (int c = 0; c < nst; ++c) nl2_[c][s] = n[c];
    });
    physical_products(bin2_, 0);
  }
  const bool fs = has_fsteady_, fe = has_fexplicit_;
  L.for_each_mode([&](std::size_t s, const Mode& md) {
    // Removed modes: the state, the nonlinear term and every RK quantity are zero there (the
    // state is dealiased, and so is everything added to it); only the inputs, which the
    // backward transforms overwrite, must be zeroed again.
    if (mask[s] == 0.0) {
      if (prepare_next) zero_inputs_at(s);
      return;
    }
    std::array<Complex, 4> n, x;
    finish(s, md, n.data());
    if (shift) {
      const Complex back = std::conj(phase_[s]);
      for (int c = 0; c < nst; ++c) n[c] = 0.5 * (nl2p[c][s] + n[c] * back);
    }
    if (fe) {
      for (int c = 0; c < ncs; ++c) n[c] += fep[c][s];
    }
    stage(s, n.data(), x.data());
    if (prepare_next) {
      if (fs) {
        for (int c = 0; c < ncs; ++c) x[c] += fsp[c][s];
      }
      inputs_at(s, md, x.data());
    }
  });
}

void SpectralNSModule::set_integrating_factor(double h) {
  if (h == efh_step_) return;
  efh_step_ = h;
  // exp(-(nu k^2 + lambda) h/2) = exp(-lambda h/2) prod_a exp(-nu k_a^2 h/2): one exp per
  // wavenumber of each axis, not per mode (this runs every step with an adaptive dt).
  layout_->fill_separable(efh_.data(), std::exp(-drag_ * 0.5 * h),
                          [&](double k) { return std::exp(-nu_ * k * k * 0.5 * h); });
  if (scalar_) {
    layout_->fill_separable(efs_.data(), 1.0,
                            [&](double k) { return std::exp(-kappa_ * k * k * 0.5 * h); });
  }
}

void SpectralNSModule::stochastic_kick(double t, double dt) {
  // White-in-time forcing in the band k_lo <= |k| <= k_hi, applied as du = sqrt(dt) a g after
  // the deterministic step. Each mode of g is made orthogonal to the current u (Alvelius 1999,
  // Phys. Fluids 11, 1880, uses the same idea), so the input power has no u-g correlation term
  // and the energy injected per step is exactly (1/2) sum |sqrt(dt) a g|^2 = injection_rate dt.
  SpectralLayout& L = *layout_;
  // Draws are keyed by the step's start time on a 2^-40 grid: a restart restores t exactly,
  // and runs on other rank counts, whose adaptive dt (hence t) may differ in the last bits,
  // still draw the same numbers (the exact bits of t would not).
  const auto key = static_cast<std::uint64_t>(std::llround(std::ldexp(t, 40)));
  Spectral& g = k_;
  double sum = 0.0;
  L.for_each_mode([&](std::size_t s, const Mode& md) {
    for (int c = 0; c < ncs_; ++c) g[c][s] = 0.0;
    const double kk = std::sqrt(md.k2);
    if (mask_[s] == 0.0 || kk < band_[0] || kk > band_[1] || md.k2 == 0.0) return;
    auto r = hashed_gaussian(seed_, key, md.m);
    if (ndim_ == 3) {
      const Complex d = (md.k[0] * r[0] + md.k[1] * r[1] + md.k[2] * r[2]) / md.k2;
      for (int c = 0; c < 3; ++c) r[c] -= md.k[c] * d;
      double uu = 0.0, ug = 0.0;
      for (int c = 0; c < 3; ++c) {
        uu += std::norm(v_[c][s]);
        ug += std::real(std::conj(v_[c][s]) * r[c]);
      }
      if (uu > 0.0) {
        for (int c = 0; c < 3; ++c) r[c] -= (ug / uu) * v_[c][s];
      }
      for (int c = 0; c < 3; ++c) {
        g[c][s] = r[c];
        sum += 0.5 * md.weight * std::norm(r[c]);
      }
    } else {
      // Vorticity increment; kinetic energy of a vorticity mode is |w|^2 / (2 k^2).
      Complex w = r[0] * std::sqrt(md.k2);
      const double uu = std::norm(v_[0][s]);
      if (uu > 0.0) w -= (std::real(std::conj(v_[0][s]) * w) / uu) * v_[0][s];
      g[0][s] = w;
      sum += 0.5 * md.weight * std::norm(w) / md.k2;
    }
  });
  std::vector<double> tot{sum};
  L.sum_inplace(tot);
  if (!(tot[0] > 0.0)) return;
  const double a = std::sqrt(inj_rate_ * dt / tot[0]);
  for (int c = 0; c < ncs_; ++c)
    for (std::size_t s = 0; s < L.spectral_size(); ++s) v_[c][s] += a * g[c][s];
}

void SpectralNSModule::implicit_stage(Mesh& mesh, double t, double dt) {
  const double t0 = wall_seconds();
  ensure(mesh);
  const double f0 = layout_->fft_seconds();
  const std::int64_t c0 = layout_->fft_count();
  // The state persists between steps; the fields on the blocks are read only when the module
  // has not set them itself (first step after a restart).
  if (!state_current_) load_state(mesh);
  const int cached = phys_cached_ ? flow_inputs() : 0;
  if (!phys_cached_) prepare_inputs();
  phys_cached_ = false;
  set_integrating_factor(dt);
  const double h = dt;
  const bool fs = has_fsteady_;
  // Velocity (vorticity) components use exp(-(nu k^2 + lambda) h/2), the scalar exp(-kappa k^2
  // h/2). The RK stages advance phi = state - steady forced response (see ensure()).
  std::array<const double*, 4> ef{};
  std::array<Complex*, 4> vp{}, ap{}, sp{};
  std::array<const Complex*, 4> fsp{};
  for (int c = 0; c < nst_; ++c) {
    ef[c] = c < ncs_ ? efh_.data() : efs_.data();
    vp[c] = v_[c].data();
    ap[c] = acc_[c].data();
    sp[c] = s_[c].data();
    if (fs && c < ncs_) fsp[c] = fsteady_[c].data();
  }
  auto factor = [&](int c, std::size_t s) { return ef[c][s]; };
  auto phi = [&](int c, std::size_t s) { return fsp[c] ? vp[c][s] - fsp[c][s] : vp[c][s]; };
  // The stochastic kick changes the state after the RK step: its inputs are prepared after it.
  const bool kick = forcing_ == Forcing::kStochastic && inj_rate_ > 0.0;
  auto finish_state = [&](int c, std::size_t s, Complex y) {
    vp[c][s] = fsp[c] ? y + fsp[c][s] : y;
  };
  // Each stage is one sweep over the modes: the nonlinear term is finished, the RK update
  // applied and the next stage's inputs written, mode by mode.
  if (scheme_ == Scheme::kRK4) {
    // Lawson's integrating-factor RK4 (Lawson 1967, SIAM J. Numer. Anal. 4, 372), with
    // E = exp(-L h), E' = exp(-L h/2):
    //   k1 = N(v), k2 = N(E'(v + h/2 k1)), k3 = N(E' v + h/2 k2), k4 = N(E v + h E' k3)
    //   v+ = E v + h/6 (E k1 + 2 E' (k2 + k3) + k4)
    nonlinear_stage(cached, true, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        ap[c][s] = e * e * n[c];
        x[c] = e * (phi(c, s) + 0.5 * h * n[c]);
      }
    });
    nonlinear_stage(0, true, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        ap[c][s] += 2.0 * e * n[c];
        x[c] = e * phi(c, s) + 0.5 * h * n[c];
      }
    });
    nonlinear_stage(0, true, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        ap[c][s] += 2.0 * e * n[c];
        x[c] = e * e * phi(c, s) + h * e * n[c];
      }
    });
    nonlinear_stage(0, !kick, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        x[c] = e * e * phi(c, s) + (h / 6.0) * (ap[c][s] + n[c]);
        finish_state(c, s, x[c]);
      }
    });
  } else {
    // SSP-RK3 in Shu-Osher form applied to w = exp(L t) v (integrating-factor SSP-RK3):
    //   v1 = E (v + h N(v)); v2 = 3/4 E' v + 1/4 (v1 + h N(v1)) / E';
    //   v+ = 1/3 E v + 2/3 E' (v2 + h N(v2)).
    nonlinear_stage(cached, true, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        x[c] = sp[c][s] = e * e * (phi(c, s) + h * n[c]);
      }
    });
    nonlinear_stage(0, true, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        const Complex y = sp[c][s] + h * n[c];
        x[c] = sp[c][s] = 0.75 * e * phi(c, s) + (e > 0.0 ? 0.25 * y / e : Complex{});
      }
    });
    nonlinear_stage(0, !kick, [&](std::size_t s, const Complex* n, Complex* x) {
      for (int c = 0; c < nst_; ++c) {
        const double e = factor(c, s);
        x[c] = (1.0 / 3.0) * e * e * phi(c, s) + (2.0 / 3.0) * e * (sp[c][s] + h * n[c]);
        finish_state(c, s, x[c]);
      }
    });
  }
  if (kick) stochastic_kick(t, dt);
  store_state(mesh, !kick);
  last_dt_ = dt;
  step_fft_seconds_ += layout_->fft_seconds() - f0;
  step_fft_count_ += layout_->fft_count() - c0;
  step_seconds_ += wall_seconds() - t0;
}

void SpectralNSModule::velocity_spectrum(Mesh& mesh, Spectral& u) {
  SpectralLayout& L = *layout_;
  u.clear();
  for (int c = 0; c < ndim_; ++c) {
    u.push_back(L.make_complex());
    // r_.back(): the other work arrays may hold the flow inputs the next step reuses.
    L.gather(mesh, vel_id_, c, r_.back().data());
    L.forward(r_.back().data(), u.back().data());
  }
}

SpectralDiagnostics SpectralNSModule::diagnostics(Mesh& mesh) {
  ensure(mesh);
  Spectral u;
  velocity_spectrum(mesh, u);
  const std::size_t nk = kx_modes_.size();
  std::vector<double> acc(4 + nk, 0.0);  // energy, enstrophy, div^2, -, kx energies
  layout_->for_each_mode([&](std::size_t s, const Mode& md) {
    double uu = 0.0;
    Complex kdotu = 0.0;
    for (int c = 0; c < ndim_; ++c) {
      uu += std::norm(u[c][s]);
      kdotu += md.k[c] * u[c][s];
    }
    const double e = 0.5 * md.weight * uu;
    acc[0] += e;
    // |k x u|^2 = k^2 |u|^2 - |k.u|^2 (Lagrange's identity, valid for complex u and real k).
    acc[1] += 0.5 * md.weight * (md.k2 * uu - std::norm(kdotu));
    acc[2] += md.weight * std::norm(kdotu);
    for (std::size_t q = 0; q < nk; ++q) {
      if (md.m[0] == kx_modes_[q]) acc[4 + q] += e;
    }
  });
  layout_->sum_inplace(acc);
  SpectralDiagnostics d;
  d.energy = acc[0];
  d.enstrophy = acc[1];
  d.dissipation = 2.0 * nu_ * acc[1];
  d.div_rms = std::sqrt(acc[2]);
  d.kx_energy.assign(acc.begin() + 4, acc.end());
  return d;
}

double SpectralNSModule::physical_energy(Mesh& mesh) {
  ensure(mesh);
  double sum = 0.0;
  for (const auto& b : mesh.blocks()) {
    const Array4& u = b->field(vel_id_);
    for_each_cell(b->interior(), [&](int k, int j, int i) {
      for (int c = 0; c < ndim_; ++c) sum += u(c, k, j, i) * u(c, k, j, i);
    });
  }
  std::vector<double> v{sum};
  layout_->sum_inplace(v);
  return 0.5 * v[0] / layout_->total_points();
}

void SpectralNSModule::energy_spectrum(Mesh& mesh, std::vector<double>& k, std::vector<double>& e,
                                       std::vector<double>& modes) {
  ensure(mesh);
  Spectral u;
  velocity_spectrum(mesh, u);
  const auto& n = layout_->global_n();
  const MeshParams& mp = mesh.params();
  double lmax = 0.0, kmax2 = 0.0;
  for (int a = 0; a < ndim_; ++a) {
    const double len = mp.upper[a] - mp.lower[a];
    lmax = std::max(lmax, len);
    const double kn = M_PI * static_cast<double>(n[a]) / len;
    kmax2 += kn * kn;
  }
  const double dk = 2.0 * M_PI / lmax;
  const std::size_t nbins = static_cast<std::size_t>(std::sqrt(kmax2) / dk + 1.5);
  std::vector<double> acc(2 * nbins, 0.0);
  layout_->for_each_mode([&](std::size_t s, const Mode& md) {
    double uu = 0.0;
    for (int c = 0; c < ndim_; ++c) uu += std::norm(u[c][s]);
    const auto bin = std::min(nbins - 1, static_cast<std::size_t>(std::sqrt(md.k2) / dk + 0.5));
    acc[bin] += 0.5 * md.weight * uu;
    acc[nbins + bin] += md.weight;
  });
  layout_->sum_inplace(acc);
  k.resize(nbins);
  e.assign(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(nbins));
  modes.assign(acc.begin() + static_cast<std::ptrdiff_t>(nbins), acc.end());
  for (std::size_t b = 0; b < nbins; ++b) k[b] = dk * static_cast<double>(b);
}

std::vector<HistoryValue> SpectralNSModule::history_values(Mesh& mesh, double /*t*/) {
  const SpectralDiagnostics d = diagnostics(mesh);
  // Values are global already (reduced here): kMax of identical values is the value itself.
  std::vector<HistoryValue> out{{"energy", d.energy, HistoryReduce::kMax},
                                {"enstrophy", d.enstrophy, HistoryReduce::kMax},
                                {"dissipation", d.dissipation, HistoryReduce::kMax}};
  double vmax = 0.0, rate = 0.0;
  for (const auto& b : mesh.blocks()) {
    const Array4& u = b->field(vel_id_);
    for_each_cell(b->interior(), [&](int k, int j, int i) {
      double v2 = 0.0, r = 0.0;
      for (int c = 0; c < ndim_; ++c) {
        v2 += u(c, k, j, i) * u(c, k, j, i);
        r += std::abs(u(c, k, j, i)) / b->dx[c];
      }
      vmax = std::max(vmax, v2);
      rate = std::max(rate, r);
    });
  }
  if (scalar_) {
    // <theta^2>/2 and the scalar dissipation chi = kappa <|grad theta|^2>.
    layout_->gather(mesh, scalar_id_, 0, r_.back().data());
    layout_->forward(r_.back().data(), tmp_.data());
    std::vector<double> acc(2, 0.0);
    layout_->for_each_mode([&](std::size_t s, const Mode& md) {
      acc[0] += 0.5 * md.weight * std::norm(tmp_[s]);
      acc[1] += kappa_ * md.weight * md.k2 * std::norm(tmp_[s]);
    });
    layout_->sum_inplace(acc);
    out.push_back({"scalar_variance", acc[0], HistoryReduce::kMax});
    out.push_back({"scalar_dissipation", acc[1], HistoryReduce::kMax});
  }
  out.push_back({"max_velocity", std::sqrt(vmax), HistoryReduce::kMax});
  out.push_back({"cfl", last_dt_ * rate, HistoryReduce::kMax});
  out.push_back({"div_rms", d.div_rms, HistoryReduce::kMax});
  for (std::size_t q = 0; q < kx_modes_.size(); ++q) {
    out.push_back({fmt::format("energy_kx{}", kx_modes_[q]), d.kx_energy[q], HistoryReduce::kMax});
  }
  if (timing_history_) {
    // Inside time steps only (the diagnostics' own transforms are not counted); max over ranks.
    out.push_back({"step_fft_seconds", step_fft_seconds_, HistoryReduce::kMax});
    out.push_back({"step_seconds", step_seconds_, HistoryReduce::kMax});
    out.push_back({"step_fft_count", static_cast<double>(step_fft_count_), HistoryReduce::kMax});
  }
  return out;
}

void SpectralNSModule::write_snapshot_extras(Mesh& mesh, hid_t file) {
  std::vector<double> k, e, modes;
  energy_spectrum(mesh, k, e, modes);
  const bool root = mesh.comm().root();
  std::vector<double> rows;
  for (std::size_t b = 0; b < k.size(); ++b) rows.insert(rows.end(), {k[b], e[b], modes[b]});
  h5::Handle g = h5::create_group(file, "spectral_ns");
  h5::write_attr(g, "nu", nu_);
  h5::write_attr(g, "drag", drag_);
  h5::write_rows(g, "energy_spectrum", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {k.size(), 3}, 0,
                 root ? k.size() : 0, rows.data());
  h5::Handle ds(H5Dopen2(g, "energy_spectrum", H5P_DEFAULT), H5Dclose);
  h5::check(ds, "H5Dopen2", "energy_spectrum");
  h5::write_attr(ds, "columns", std::string("k E(k) modes"));
  h5::write_attr(ds, "description",
                 std::string("shell-summed kinetic energy spectrum: column 0 shell centre k = n "
                             "dk [1/length], dk = 2 pi / max side; column 1 energy of the modes "
                             "with |k| in [k - dk/2, k + dk/2) [length^2/time^2] (sum = volume-"
                             "averaged energy); column 2 number of modes"));
}

}  // namespace tessera
