// Gray flux-limited diffusion radiation coupled to a compressible gas (see rad_fld.hpp).
//
// Implicit stage, backward Euler over h (Turner & Stone 2001, sec. 2.3; Fleck & Cummings 1971):
//   E - E0 = h div(D grad E) + h s (B - E),   e - e0 = -h s (B - E),   s = c kappa_P rho,
// with B = a T(e)^4 linearised about the iterate e_k: B ~ B_k + beta (e - e_k),
// beta = dB/de. The gas equation then gives e in closed form per cell,
//   e = [e0 + h s (E - B_k + beta e_k)] / (1 + h s beta),
// and substituting it leaves one symmetric M-matrix system in E (Fleck factor f = 1/(1+h s beta)):
//   (1 + h s f) E - h div(D grad E) = E0 + h s f [B_k + beta (e0 - e_k)].
// Both equations use the same linearised B, so e + E changes only through the diffusion flux
// at every iteration (exchange conserves energy to round-off); at the fixed point e_k = e the
// linearisation is exact (a Newton iteration on the exchange with D frozen).
#include "tessera/physics/rad_fld.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/numerics/limiters.hpp"
#include "tessera/numerics/upwind.hpp"
#include "tessera/physics/mhd.hpp"
#include "tessera/solvers/linear_system.hpp"

namespace tessera {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
/// TR-BDF2 with gamma = 2 - sqrt(2) (Bank et al. 1985; Hosea & Shampine 1996, eq. 2.1).
const double kGamma = 2.0 - std::sqrt(2.0);

template <typename F>
inline void for_each_axis(int ndim, F&& f) {
  f(std::integral_constant<int, 0>{});
  if (ndim > 1) f(std::integral_constant<int, 1>{});
  if (ndim > 2) f(std::integral_constant<int, 2>{});
}

OpacityLaw read_opacity(const Config& cfg, const std::string& sec, const std::string& which,
                        double x_h) {
  OpacityLaw o;
  const std::string kind =
      cfg.get_string(sec + which + "_opacity", "constant", {"constant", "thomson", "power_law"});
  if (kind == "thomson") {
    o.kind = OpacityLaw::Kind::kThomson;
    o.kappa0 = 0.2 * (1.0 + x_h);  // electron scattering, cm^2/g (Rybicki & Lightman eq. 1.57)
  } else {
    o.kind = kind == "power_law" ? OpacityLaw::Kind::kPowerLaw : OpacityLaw::Kind::kConstant;
    o.kappa0 = cfg.get_double(sec + which + "_kappa", 0.0, Range::non_negative());
    if (o.kind == OpacityLaw::Kind::kPowerLaw) {
      o.rho_exp = cfg.get_double(sec + which + "_rho_exp", 0.0);
      o.t_exp = cfg.get_double(sec + which + "_t_exp", 0.0);
    }
  }
  return o;
}
}  // namespace

/// Per-block work arrays of the implicit stage and the linear system.
struct RadFldModule::Work {
  std::unique_ptr<LinearSystem> sys;
  std::vector<Array4> face_d;                             // ndim components: face diffusivities
  std::vector<Array4> alpha;                              // h s f per cell
  std::vector<Array4> e_star, e_k, e0, erad_star, erad0;  // 1 component each
  std::vector<double> bc_rhs;
};

RadFldModule::RadFldModule(const Config& cfg, int ndim) : ndim_(ndim) {
  const std::string sec = "physics.rad_fld.";
  c_ = cfg.get_double(sec + "c_light", 2.99792458e10, Range::positive());
  a_ = cfg.get_double(sec + "a_rad", 7.5657e-15, Range::positive());
  gas_r_ = cfg.get_double(sec + "gas_constant", 8.314462618e7, Range::positive());
  mu_ = cfg.get_double(sec + "mu", 0.6, Range::positive());
  su_olson_ =
      cfg.get_string(sec + "material", "ideal_gas", {"ideal_gas", "su_olson"}) == "su_olson";
  epsilon_ = cfg.get_double(sec + "epsilon", 1.0, Range::positive());
  const std::string lim = cfg.get_string(sec + "limiter", "levermore_pomraning",
                                         {"levermore_pomraning", "minerbo", "diffusion"});
  limiter_ = lim == "minerbo"     ? FluxLimiter::kMinerbo
             : lim == "diffusion" ? FluxLimiter::kDiffusion
                                  : FluxLimiter::kLevermorePomraning;
  const double x_h = cfg.get_double(sec + "hydrogen_fraction", 0.7, Range::between(0.0, 1.0));
  planck_ = read_opacity(cfg, sec, "planck", x_h);
  rosseland_ = read_opacity(cfg, sec, "rosseland", x_h);
  trbdf2_ = cfg.get_string(sec + "time_scheme", "be", {"be", "trbdf2"}) == "trbdf2";
  exchange_only_ =
      cfg.get_string(sec + "solve", "coupled", {"coupled", "exchange_only"}) == "exchange_only";
  if (exchange_only_ && (trbdf2_ || planck_.kind == OpacityLaw::Kind::kPowerLaw)) {
    cfg.fail(sec + "solve",
             "\"exchange_only\" is the exact backward-Euler quartic for a temperature-independent "
             "Planck opacity: use time_scheme = \"be\" and a constant/thomson planck_opacity");
  }
  tol_ = cfg.get_double(sec + "tolerance", 1e-8, Range::positive());
  max_iter_ = static_cast<int>(cfg.get_int(sec + "max_iterations", 50, Range::at_least(1)));
  rtol_ = cfg.get_double(sec + "rtol", 1e-10, Range::positive());
  max_it_ = static_cast<int>(cfg.get_int(sec + "max_it", 500, Range::at_least(1)));
  max_dt_ = cfg.get_double(sec + "max_dt", kInf, Range::positive());
  cfl_ = cfg.get_double("time.cfl", 0.4, Range::positive());
  front_threshold_ = cfg.get_double(sec + "front_threshold", 0.0, Range::non_negative());
  iterate_limiter_ = cfg.get_bool(sec + "iterate_limiter", true);
  // Without extinction the diffusion limiter's D = c/(3 chi) is infinite: no meaning.
  if (limiter_ == FluxLimiter::kDiffusion && rosseland_.kappa0 == 0.0) {
    cfg.fail(sec + "rosseland_kappa",
             "the diffusion limiter needs a positive Rosseland opacity (D = c / (3 kappa rho)); "
             "use limiter = \"levermore_pomraning\" for optically thin media");
  }
  bc_ = BoundaryParams::from_config(cfg, ndim);
  fc_ = face_conditions_from(bc_, ndim, "erad");
  const char* side[2] = {"lower", "upper"};
  for (int a = 0; a < ndim; ++a) {
    for (int s = 0; s < 2; ++s) {
      const std::string key = fmt::format("{}marshak_x{}_{}", sec, a + 1, side[s]);
      if (!cfg.has(key)) continue;
      if (bc_.face[a][s].kind == BcKind::kPeriodic) {
        cfg.fail(key, "a Marshak condition needs a non-periodic boundary face");
      }
      is_marshak_[a][s] = true;
      marshak_[a][s] = cfg.get_double(key, 0.0, Range::non_negative());
      // (c/4) E + (1/2) D dE/dn = F_inc, n outward (Marshak 1947; Pomraning 1973, ch. 2).
      FaceCondition f = FaceCondition::robin(0.25 * c_, 0.5, marshak_[a][s]);
      f.b_times_d = true;
      fc_[a][s] = f;
    }
  }
}

RadFldModule::~RadFldModule() = default;

const LinearSystem* RadFldModule::linear_system() const noexcept {
  return work_ ? work_->sys.get() : nullptr;
}

void RadFldModule::register_fields(FieldRegistry& reg) {
  FieldSpec s;
  s.name = "erad";
  s.components = {"erad"};
  s.vector_axis = {-1};
  s.units = "erg/cm^3 (code energy density)";
  s.description = "gray radiation energy density E (comoving frame)";
  fid_erad_ = reg.add(s);
}

void RadFldModule::connect(const std::vector<std::unique_ptr<PhysicsModule>>& modules) {
  for (const auto& m : modules) {
    if (auto* g = dynamic_cast<const GasDynamics*>(m.get())) {
      gas_ = g;
      break;
    }
  }
  if (!gas_) {
    throw ConfigError(
        "[physics.rad_fld] couples radiation to a gas: add [physics.hydro] (or [physics.mhd]) "
        "to the deck");
  }
  gamma_ = gas_->eos().gamma;
  cv_ = gas_r_ / (mu_ * (gamma_ - 1.0));  // T = mu p / (rho R) = e / (rho cv)
  // On MHD the radiation pressure must enter the fast speed of the gas module's own CFL limit
  // (this module's max_dt knows no field): (4/3) P_rad / rho = (4/9) E / rho, zero without E.
  for (const auto& m : modules) {
    if (auto* mhd = dynamic_cast<MhdModule*>(m.get())) {
      mhd->set_extra_sound_speed2([this](const Block& b, int k, int j, int i) {
        return (4.0 / 9.0) * b.field(fid_erad_)(0, k, j, i) / b.field(gas_->rho_id())(0, k, j, i);
      });
    }
  }
}

double RadFldModule::eint_at(const Block& b, int k, int j, int i) const {
  const Array4& rho = b.field(gas_->rho_id());
  const Array4& mom = b.field(gas_->mom_id());
  const Array4& en = b.field(gas_->energy_id());
  const double r = rho(0, k, j, i);
  const double m2 = mom(0, k, j, i) * mom(0, k, j, i) + mom(1, k, j, i) * mom(1, k, j, i) +
                    mom(2, k, j, i) * mom(2, k, j, i);
  return en(0, k, j, i) - 0.5 * m2 / r - gas_->magnetic_energy(b, k, j, i);
}

double RadFldModule::max_dt(const Block& b) const {
  const double cap = max_dt_ / cfl_;
  const Array4& er = b.field(fid_erad_);
  const Array4& rho = b.field(gas_->rho_id());
  const Array4& mom = b.field(gas_->mom_id());
  double rate = 0.0;
  for_each_cell(b.interior(), [&](int k, int j, int i) {
    const double e = er(0, k, j, i);
    if (e == 0.0) return;  // radiation absent here: the gas module's own limit is unchanged
    const double r = rho(0, k, j, i);
    const double p = (gamma_ - 1.0) * eint_at(b, k, j, i);
    // Radiation-modified sound speed: gamma p/rho + (4/3) P_rad/rho with P_rad = E/3.
    const double cs = std::sqrt(std::max(gamma_ * p / r + (4.0 / 9.0) * e / r, 0.0));
    double s = 0.0;
    for (int a = 0; a < ndim_; ++a) s += (std::abs(mom(a, k, j, i)) / r + cs) / b.dx[a];
    rate = std::max(rate, s);
  });
  return rate > 0.0 ? std::min(cap, 1.0 / rate) : cap;
}

void RadFldModule::add_rhs(const Block& b, double /*t*/, std::vector<Array4>& rhs) {
  const Array4& er = b.field(fid_erad_);
  const Array4& rho = b.field(gas_->rho_id());
  const Array4& mom = b.field(gas_->mom_id());
  Array4& r_e = rhs[fid_erad_];
  Array4& r_m = rhs[gas_->mom_id()];
  Array4& r_g = rhs[gas_->energy_id()];
  if (vel_.dims() != b.dims() || vel_.ncomp() != 3) vel_.resize(3, b.dims());
  if (flux_.dims() != b.dims() || flux_.ncomp() != 1) flux_.resize(1, b.dims());
  for_each_cell(b.all(), [&](int k, int j, int i) {
    const double r = rho(0, k, j, i);
    for (int c = 0; c < 3; ++c) vel_(c, k, j, i) = r > 0.0 ? mom(c, k, j, i) / r : 0.0;
  });
  // Advection of E with the gas velocity: MUSCL (MC) upwind fluxes, face velocity the mean of
  // the two cell velocities. One kernel for every axis.
  with_limiter(LimiterKind::kMC, [&](auto lim) {
    using Lim = decltype(lim);
    for_each_axis(ndim_, [&](auto ax) {
      constexpr int A = decltype(ax)::value;
      const double* v = vel_.comp(A);
      const std::ptrdiff_t s = vel_.stride(A);
      add_upwind_divergence<A, Lim>(
          b, er, 0, r_e, 0, flux_, [&](std::ptrdiff_t p) { return 0.5 * (v[p - s] + v[p]); },
          false);
    });
  });
  // Radiation force -lambda grad E, its work -lambda v.grad E, and -grad v : P (centred
  // differences; Krumholz et al. 2007 eqs. 22-24 to first order in v/c).
  for_each_cell(b.interior(), [&](int k, int j, int i) {
    const double e = er(0, k, j, i);
    const std::array<int, 3> idx{i, j, k};
    std::array<double, 3> g{0.0, 0.0, 0.0};
    std::array<std::array<double, 3>, 3> dv{};
    for (int a = 0; a < ndim_; ++a) {
      std::array<int, 3> lo = idx, hi = idx;
      lo[a] -= 1;
      hi[a] += 1;
      const double inv = 0.5 / b.dx[a];
      g[a] = (er(0, hi[2], hi[1], hi[0]) - er(0, lo[2], lo[1], lo[0])) * inv;
      for (int c = 0; c < 3; ++c)
        dv[a][c] = (vel_(c, hi[2], hi[1], hi[0]) - vel_(c, lo[2], lo[1], lo[0])) * inv;
    }
    const double gn = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    const double r = rho(0, k, j, i);
    const double chi = extinction(r, temperature(r, eint_at(b, k, j, i)));
    const double big_r = gn == 0.0 ? 0.0 : (chi * e > 0.0 ? gn / (chi * e) : kInf);
    const double lam = flux_limiter(limiter_, big_r);
    const double f = eddington_factor(limiter_, big_r);
    double work = 0.0;
    for (int a = 0; a < 3; ++a) {
      r_m(a, k, j, i) += -lam * g[a];
      work += vel_(a, k, j, i) * g[a];
    }
    r_g(0, k, j, i) += -lam * work;
    // P = E [(1-f)/2 I + (3f-1)/2 n n]
    const double iso = 0.5 * (1.0 - f) * e, aniso = 0.5 * (3.0 * f - 1.0) * e;
    double gvp = 0.0;
    for (int a = 0; a < ndim_; ++a) {
      gvp += iso * dv[a][a];
      if (gn > 0.0) {
        const double na = g[a] / gn;
        for (int c = 0; c < 3; ++c) gvp += aniso * na * (g[c] / gn) * dv[a][c];
      }
    }
    r_e(0, k, j, i) += -gvp;
  });
}

void RadFldModule::compute_face_diffusivity(Mesh& mesh) {
  Work& w = *work_;
  const auto& blocks = mesh.blocks();
  for (std::size_t lb = 0; lb < blocks.size(); ++lb) {
    const Block& b = *blocks[lb];
    const Array4& er = b.field(fid_erad_);
    const Array4& rho = b.field(gas_->rho_id());
    Array4& fd = w.face_d[lb];
    for_each_axis(ndim_, [&](auto ax) {
      constexpr int A = decltype(ax)::value;
      IndexBox box = b.interior();
      box.lo[A] -= 1;  // faces from the lower face of the first interior cell
      const double dx = b.dx[A];
      for_each_cell(box, [&](int k, int j, int i) {
        std::array<int, 3> q{i, j, k};
        q[A] += 1;
        const double el = er(0, k, j, i), eh = er(0, q[2], q[1], q[0]);
        const double rl = rho(0, k, j, i), rh = rho(0, q[2], q[1], q[0]);
        const double cl = extinction(rl, temperature(rl, eint_at(b, k, j, i)));
        const double ch = extinction(rh, temperature(rh, eint_at(b, q[2], q[1], q[0])));
        // Harmonic mean of the extinctions (the face value of a two-point flux through two
        // slabs of different opacity), arithmetic mean of E, normal gradient.
        const double chi = (cl + ch) > 0.0 ? 2.0 * cl * ch / (cl + ch) : 0.0;
        const double ef = 0.5 * (el + eh), de = std::abs(eh - el);
        double d;
        if (chi > 0.0) {
          const double big_r = de == 0.0 ? 0.0 : (ef > 0.0 ? de / (dx * chi * ef) : kInf);
          d = c_ * flux_limiter(limiter_, big_r) / chi;
        } else {
          // chi -> 0 with lambda R -> 1: |F| = c E_f, the free-streaming limit.
          d = de > 0.0 ? c_ * ef * dx / de : 0.0;
        }
        fd(A, k, j, i) = d;
      });
    });
  }
}

double RadFldModule::exchange_cell(double rho, double e0, double erad0, double h) const {
  const double total = e0 + erad0;
  const double s = absorption_rate(rho, temperature(rho, e0));
  if (s * h == 0.0) return e0;
  auto g = [&](double e) {
    const double tt = temperature(rho, e);
    return e - e0 + h * s * (a_ * tt * tt * tt * tt - (total - e));
  };
  // g is increasing on [0, total] with g(0) <= 0 <= g(total): safeguarded Newton.
  double lo = 0.0, hi = total, e = std::clamp(e0, lo, hi);
  for (int it = 0; it < 200; ++it) {
    const double ge = g(e);
    if (ge > 0.0)
      hi = e;
    else
      lo = e;
    const double tt = temperature(rho, e);
    const double dg = 1.0 + h * s * (emission_slope(rho, tt) + 1.0);
    double en = e - ge / dg;
    if (!(en > lo && en < hi)) en = 0.5 * (lo + hi);
    if (std::abs(en - e) <= 1e-15 * std::abs(e) || hi - lo <= 1e-15 * hi) return en;
    e = en;
  }
  return e;
}

void RadFldModule::solve_exchange_only(Mesh& mesh, double h) {
  Work& w = *work_;
  const auto& blocks = mesh.blocks();
  for (std::size_t lb = 0; lb < blocks.size(); ++lb) {
    Block& b = *blocks[lb];
    Array4& er = b.field(fid_erad_);
    const Array4& rho = b.field(gas_->rho_id());
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double e0 = w.e0[lb](0, k, j, i), E0 = w.erad0[lb](0, k, j, i);
      const double e = exchange_cell(rho(0, k, j, i), e0, E0, h);
      w.e_k[lb](0, k, j, i) = e;
      er(0, k, j, i) = (e0 + E0) - e;
    });
  }
  last_picard_ = 1;
}

void RadFldModule::solve_coupled(Mesh& mesh, double h) {
  Work& w = *work_;
  LinearSystem& sys = *w.sys;
  const CellNumbering& num = sys.numbering();
  const auto& blocks = mesh.blocks();
  HelmholtzSpec spec;
  spec.alpha = 1.0;
  spec.beta = h;
  spec.face_diffusivity = &w.face_d;
  spec.alpha_cells = &w.alpha;
  spec.bc = fc_;
  double rel = kInf;
  int it = 0;
  for (it = 1; it <= max_iter_; ++it) {
    if (iterate_limiter_ && limiter_ != FluxLimiter::kDiffusion && it > 1) {
      // Lagged limiter: the face D from the latest E iterate (a flat region that the front has
      // just reached must see its new gradient, or it diffuses acausally at D = c/(3 chi)).
      fill_halos({fid_erad_}, source_t_);
      compute_face_diffusivity(mesh);
    }
    std::fill(w.bc_rhs.begin(), w.bc_rhs.end(), 0.0);
    {
      VecArray bv(sys.rhs());
      VecArray xv(sys.solution());
      for (std::size_t lb = 0; lb < blocks.size(); ++lb) {
        const Block& b = *blocks[lb];
        const Array4& rho = b.field(gas_->rho_id());
        const Array4& er = b.field(fid_erad_);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          const double r = rho(0, k, j, i), ek = w.e_k[lb](0, k, j, i);
          const double tk = temperature(r, ek);
          const double s = absorption_rate(r, tk);
          const double bk = a_ * tk * tk * tk * tk, beta = emission_slope(r, tk);
          const double fleck = 1.0 / (1.0 + h * s * beta);
          w.alpha[lb](0, k, j, i) = h * s * fleck;
          const auto row = num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row();
          bv[row] =
              w.erad0[lb](0, k, j, i) + h * s * fleck * (bk + beta * (w.e0[lb](0, k, j, i) - ek));
          if (source_) {
            bv[row] += h * source_({b.center(0, i), b.center(1, j), b.center(2, k)}, source_t_);
          }
          xv[row] = er(0, k, j, i);  // warm start: the current iterate
        });
      }
    }
    assemble_helmholtz(mesh, spec, sys, &w.bc_rhs);
    {
      VecArray bv(sys.rhs());
      for (std::size_t r = 0; r < w.bc_rhs.size(); ++r)
        bv[static_cast<std::ptrdiff_t>(r)] += w.bc_rhs[r];
    }
    const SolveReport rep = sys.solve();
    last_linear_ += rep.iterations;
    double local_rel = 0.0, local_de = 0.0, local_emax = 0.0;
    {
      VecArray xv(sys.solution());
      for (std::size_t lb = 0; lb < blocks.size(); ++lb) {
        Block& b = *blocks[lb];
        const Array4& rho = b.field(gas_->rho_id());
        Array4& er = b.field(fid_erad_);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          const double r = rho(0, k, j, i), ek = w.e_k[lb](0, k, j, i);
          const double tk = temperature(r, ek);
          const double s = absorption_rate(r, tk);
          const double bk = a_ * tk * tk * tk * tk, beta = emission_slope(r, tk);
          const auto row = num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row();
          const double en = xv[row];
          double e = (w.e0[lb](0, k, j, i) + h * s * (en - bk + beta * ek)) / (1.0 + h * s * beta);
          // A linearisation far below the curve can undershoot to e < 0 in an early iterate:
          // halve instead (the next iterate linearises from there).
          if (e < 0.0) e = 0.5 * ek;
          const double tn = temperature(r, e);
          const double d = std::abs(tn - tk);
          if (d > 0.0) local_rel = std::max(local_rel, tn > 0.0 ? d / tn : kInf);
          local_de = std::max(local_de, std::abs(en - er(0, k, j, i)));
          local_emax = std::max(local_emax, std::abs(en));
          w.e_k[lb](0, k, j, i) = e;
          er(0, k, j, i) = en;
        });
      }
    }
    rel = mesh.comm().max(local_rel);
    if (iterate_limiter_ && limiter_ != FluxLimiter::kDiffusion) {
      // With the limiter iterated, E must settle too: max |dE| / max E.
      const double emax = mesh.comm().max(local_emax);
      const double de = mesh.comm().max(local_de);
      rel = std::max(rel, emax > 0.0 ? de / emax : 0.0);
    }
    if (rel < tol_) break;
  }
  last_picard_ += std::min(it, max_iter_);
  if (!(rel < tol_)) {
    throw SolverError(
        fmt::format("rad_fld: the Picard/Newton iteration of the implicit radiation stage did not "
                    "converge: max |dT/T| (and max |dE|/max E with the iterated limiter) = {:.3e} "
                    "after {} iterations (tolerance {:.1e}); "
                    "reduce the time step (time.cfl or physics.rad_fld.max_dt) or raise "
                    "physics.rad_fld.max_iterations",
                    rel, max_iter_, tol_),
        true);
  }
}

void RadFldModule::implicit_stage(Mesh& mesh, double t, double dt) {
  const auto& blocks = mesh.blocks();
  const std::size_t nb = blocks.size();
  if (!work_) {
    work_ = std::make_unique<Work>();
    LinearSystemOptions o;
    o.prefix = "fld_";
    o.spd = true;  // (1 + h s f) I - h div(D grad): symmetric M-matrix
    o.rtol = rtol_;
    o.max_it = max_it_;
    work_->sys = std::make_unique<LinearSystem>(mesh, o);
    work_->bc_rhs.assign(static_cast<std::size_t>(work_->sys->numbering().local_rows()), 0.0);
    auto size = [&](std::vector<Array4>& v, int nc) {
      v.resize(nb);
      for (std::size_t lb = 0; lb < nb; ++lb) v[lb].resize(nc, blocks[lb]->dims());
    };
    size(work_->face_d, ndim_);
    for (auto* v :
         {&work_->alpha, &work_->e_star, &work_->e_k, &work_->e0, &work_->erad_star, &work_->erad0})
      size(*v, 1);
  }
  Work& w = *work_;
  last_picard_ = 0;
  last_linear_ = 0;
  const double tn = t + dt;
  fill_halos({fid_erad_, gas_->rho_id(), gas_->mom_id(), gas_->energy_id()}, tn);
  for (std::size_t lb = 0; lb < nb; ++lb) {
    const Block& b = *blocks[lb];
    const Array4& er = b.field(fid_erad_);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double e = eint_at(b, k, j, i);
      w.e_star[lb](0, k, j, i) = e;
      w.e_k[lb](0, k, j, i) = e;
      w.e0[lb](0, k, j, i) = e;
      w.erad_star[lb](0, k, j, i) = er(0, k, j, i);
      w.erad0[lb](0, k, j, i) = er(0, k, j, i);
    });
  }
  if (exchange_only_) {
    solve_exchange_only(mesh, dt);
  } else {
    compute_face_diffusivity(mesh);  // frozen from the start-of-stage state
    if (!trbdf2_) {
      source_t_ = tn;
      solve_coupled(mesh, dt);
    } else {
      // Stage 1, trapezoidal rule over gamma dt: E0 = E* + h (div D grad E* + S*), e0 = e* - h S*
      // with h = gamma dt / 2 and S* = s* (a T*^4 - E*); then the same BE-form solve over h.
      const double h1 = 0.5 * kGamma * dt;
      HelmholtzSpec op;
      op.alpha = 0.0;
      op.beta = 1.0;
      op.face_diffusivity = &w.face_d;
      op.bc = fc_;
      for (std::size_t lb = 0; lb < nb; ++lb) {
        const Block& b = *blocks[lb];
        const Array4& rho = b.field(gas_->rho_id());
        Array4 div;
        div.resize(1, b.dims());
        div.fill(0.0);
        // div = -H E* = div(D grad E*) including the boundary data.
        apply_helmholtz(b, static_cast<int>(lb), op, b.field(fid_erad_), 0, -1.0, div, 0);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          const double r = rho(0, k, j, i), es = w.e_star[lb](0, k, j, i);
          const double tt = temperature(r, es);
          const double ex =
              absorption_rate(r, tt) * (a_ * tt * tt * tt * tt - w.erad_star[lb](0, k, j, i));
          const double src =
              source_ ? source_({b.center(0, i), b.center(1, j), b.center(2, k)}, t) : 0.0;
          w.erad0[lb](0, k, j, i) = w.erad_star[lb](0, k, j, i) + h1 * (div(0, k, j, i) + ex + src);
          w.e0[lb](0, k, j, i) = es - h1 * ex;
        });
      }
      double e0min = kInf;
      for (std::size_t lb = 0; lb < nb; ++lb) {
        for_each_cell(blocks[lb]->interior(),
                      [&](int k, int j, int i) { e0min = std::min(e0min, w.e0[lb](0, k, j, i)); });
      }
      if (mesh.comm().min(e0min) < 0.0) {
        throw SolverError(
            "rad_fld: TR-BDF2's trapezoidal stage drives the gas energy negative (the exchange "
            "is too stiff for its explicit half at this time step); use "
            "physics.rad_fld.time_scheme = \"be\" (L-stable, every stage implicit) or a smaller "
            "max_dt",
            true);
      }
      source_t_ = t + kGamma * dt;  // trapezoid with the source held at the stage end
      solve_coupled(mesh, h1);
      // Stage 2, BDF2: u1 = (u_g - (1-g)^2 u*) / (g (2-g)) + w dt L(u1), w = (1-g)/(2-g).
      const double g = kGamma, wgt = (1.0 - g) / (2.0 - g), cc = 1.0 / (g * (2.0 - g));
      for (std::size_t lb = 0; lb < nb; ++lb) {
        const Block& b = *blocks[lb];
        const Array4& er = b.field(fid_erad_);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          w.erad0[lb](0, k, j, i) =
              cc * (er(0, k, j, i) - (1.0 - g) * (1.0 - g) * w.erad_star[lb](0, k, j, i));
          w.e0[lb](0, k, j, i) =
              cc * (w.e_k[lb](0, k, j, i) - (1.0 - g) * (1.0 - g) * w.e_star[lb](0, k, j, i));
        });
      }
      source_t_ = tn;
      solve_coupled(mesh, wgt * dt);
    }
  }
  // Write back: the gas energy changes by the internal-energy change (exactly zero when there
  // is no exchange, so radiation-free runs leave the gas bitwise untouched). Check E >= 0.
  double emin = kInf, emax = 0.0;
  for (std::size_t lb = 0; lb < nb; ++lb) {
    Block& b = *blocks[lb];
    Array4& en = b.field(gas_->energy_id());
    const Array4& er = b.field(fid_erad_);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const double de = w.e_k[lb](0, k, j, i) - w.e_star[lb](0, k, j, i);
      if (de != 0.0) en(0, k, j, i) += de;
      emin = std::min(emin, er(0, k, j, i));
      emax = std::max(emax, er(0, k, j, i));
    });
  }
  emin = mesh.comm().min(emin);
  emax = mesh.comm().max(emax);
  // The M-matrix makes the exact solution non-negative; the Krylov solution may dip below 0
  // by the solve's error, ~rtol max E. Beyond 10 rtol max E it is a real failure.
  const double neg_tol = std::max(1e-12, 100.0 * rtol_) * emax;
  if (emin < -neg_tol) {
    throw SolverError(fmt::format("rad_fld: the implicit radiation solve produced E = {:.6e} < 0 "
                                  "(max E {:.6e}): the system lost its M-matrix property; reduce "
                                  "the time step",
                                  emin, emax),
                      true);
  }
  if (emin < 0.0) {
    // Solver-tolerance dips below zero of a non-negative solution: set to 0.
    for (auto& bp : blocks) {
      Array4& er = bp->field(fid_erad_);
      for_each_cell(bp->interior(), [&](int k, int j, int i) {
        if (er(0, k, j, i) < 0.0) er(0, k, j, i) = 0.0;
      });
    }
  }
}

std::string RadFldModule::check_state(const Block& b) const {
  const Array4& er = b.field(fid_erad_);
  std::string out;
  for_each_cell(b.interior(), [&](int k, int j, int i) {
    if (!out.empty()) return;
    const double e = er(0, k, j, i);
    if (!(e >= 0.0)) {
      out = fmt::format("radiation energy density erad = {} < 0 at x = ({}, {}, {})", e,
                        b.center(0, i), b.center(1, j), b.center(2, k));
    }
  });
  return out;
}

std::vector<HistoryValue> RadFldModule::history_values(Mesh& mesh, double t) {
  std::vector<HistoryValue> out{
      {"rad_picard_iterations", static_cast<double>(last_picard_), HistoryReduce::kMax},
      {"fld_iterations", static_cast<double>(last_linear_), HistoryReduce::kMax}};
  // Gas total energy (internal + kinetic + magnetic) plus radiation: what the coupled system
  // conserves (ladder item 10's conservation check).
  double total = 0.0;
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    const Array4& er = b.field(fid_erad_);
    const Array4& en = b.field(gas_->energy_id());
    const double dv = b.cell_volume(ndim_);
    for_each_cell(b.interior(),
                  [&](int k, int j, int i) { total += (en(0, k, j, i) + er(0, k, j, i)) * dv; });
  }
  out.push_back({"rad_total_energy", total, HistoryReduce::kSum});
  if (front_threshold_ > 0.0) {
    fill_halos({fid_erad_}, t);
    double front = mesh.params().lower[0];
    for (const auto& bp : mesh.blocks()) {
      const Block& b = *bp;
      const Array4& er = b.field(fid_erad_);
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const double e0 = er(0, k, j, i), e1 = er(0, k, j, i + 1);
        if (e0 >= front_threshold_ && e1 < front_threshold_) {
          // Linear interpolation of the threshold crossing between the two cell centres.
          front = std::max(front, b.center(0, i) + b.dx[0] * (e0 - front_threshold_) / (e0 - e1));
        }
      });
    }
    out.push_back({"rad_front_x1", front, HistoryReduce::kMax});
  }
  return out;
}

}  // namespace tessera
