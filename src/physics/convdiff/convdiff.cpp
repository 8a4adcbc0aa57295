#include "tessera/physics/convdiff.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "tessera/core/config.hpp"
#include "tessera/numerics/upwind.hpp"

namespace tessera {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
/// TR-BDF2 with gamma = 2 - sqrt(2): both stages then share the matrix I + (gamma/2) dt A
/// (Bank et al., IEEE Trans. Electron Devices 32 (1985); Hosea & Shampine, Appl. Numer. Math.
/// 20 (1996), eq. 2.1), and the scheme is L-stable and second order.
const double kGamma = 2.0 - std::sqrt(2.0);
}  // namespace

/// Per-scalar implicit state: the system matrix M = I + theta dt A (+ decay), the operator A
/// itself (for the explicit half of CN / TR-BDF2 and the boundary data r_A), work vectors.
struct ConvDiffModule::Implicit {
  std::unique_ptr<LinearSystem> sys, op;
  std::vector<double> r_a;  // boundary data of A: H u = A u - r_a
  PetscVec ustar, au, rbc, src, src2;
  double coef = -1.0;  // theta dt of the assembled M
};

ConvDiffModule::ConvDiffModule(const Config& cfg, int ndim) : ndim_(ndim) {
  const std::string sec = "physics.convdiff.";
  // Scalar names: strings; read through get_string one by one is not possible for arrays,
  // so the list is read as the keys' text via leaves: names are validated as identifiers.
  names_.clear();
  if (cfg.has(sec + "scalars")) {
    const auto leaves = cfg.leaves_in("physics.convdiff");
    for (const auto& [k, v] : leaves) {
      if (k != sec + "scalars") continue;
      // toml text: [ "c", "d" ]
      std::string cur;
      bool in = false;
      for (char ch : v) {
        if (ch == '"') {
          if (in) names_.push_back(cur), cur.clear();
          in = !in;
        } else if (in) {
          cur += ch;
        }
      }
    }
    if (names_.empty())
      cfg.fail(sec + "scalars", "give a non-empty list of scalar names, e.g. [\"c\"]");
    for (const auto& n : names_) {
      if (n.empty() || n.find_first_of(" .\t/") != std::string::npos) {
        cfg.fail(sec + "scalars", fmt::format("'{}' is not a valid field name", n));
      }
    }
  } else {
    names_ = {"c"};
  }
  const auto ns = names_.size();
  const auto v =
      cfg.get_doubles(sec + "velocity", std::vector<double>(static_cast<std::size_t>(ndim), 0.0),
                      static_cast<std::size_t>(ndim));
  for (int a = 0; a < ndim; ++a) v_[a] = v[a];
  d_const_ = cfg.get_double(sec + "diffusivity", 0.0, Range::non_negative());
  d_max_ = d_const_;
  decay_ = cfg.get_doubles(sec + "decay", std::vector<double>(ns, 0.0), ns, Range::non_negative());
  mode_ = cfg.get_string(sec + "diffusion", "implicit", {"implicit", "explicit"}) == "explicit"
              ? DiffusionMode::kExplicit
              : DiffusionMode::kImplicit;
  const std::string sch = cfg.get_string(sec + "time_scheme", "trbdf2", {"be", "cn", "trbdf2"});
  scheme_ = sch == "be"   ? ImplicitScheme::kBackwardEuler
            : sch == "cn" ? ImplicitScheme::kCrankNicolson
                          : ImplicitScheme::kTRBDF2;
  max_dt_ = cfg.get_double(sec + "max_dt", kInf, Range::positive());
  limiter_ = limiter_from_string(
      cfg.get_string(sec + "limiter", "mc", {"minmod", "vanleer", "mc", "none"}));
  first_order_ = cfg.get_string(sec + "reconstruction", "plm", {"plm", "donor"}) == "donor";
  solver_opts_.prefix = "diffusion_";
  solver_opts_.spd = true;  // I + theta dt (lambda - div D grad) is SPD for D, lambda >= 0
  solver_opts_.rtol = cfg.get_double(sec + "rtol", 1e-10, Range::positive());
  solver_opts_.max_it = static_cast<int>(cfg.get_int(sec + "max_it", 500, Range::at_least(1)));
  const std::string so = cfg.get_string(sec + "sorption", "none", {"none", "linear", "langmuir"});
  sorption_ = so == "linear"     ? Sorption::kLinear
              : so == "langmuir" ? Sorption::kLangmuir
                                 : Sorption::kNone;
  if (sorption_ != Sorption::kNone) {
    k_a_ = cfg.require_double(sec + "k_a", Range::non_negative());
    k_d_ = cfg.require_double(sec + "k_d", Range::non_negative());
    alpha_ = cfg.get_double(sec + "alpha", 1.0, Range::non_negative());
    if (sorption_ == Sorption::kLangmuir)
      q_max_ = cfg.require_double(sec + "q_max", Range::positive());
  }
  law_ = cfg.get_string(sec + "diffusion_law", "constant", {"constant", "power"}) == "power"
             ? DiffusionLaw::kPower
             : DiffusionLaw::kConstant;
  if (law_ == DiffusionLaw::kPower) {
    pow_k_ = cfg.require_double(sec + "power_k", Range::positive());
    pow_p_ = cfg.require_double(sec + "power_exponent", Range::non_negative());
    nl_rtol_ = cfg.get_double(sec + "nonlinear_rtol", 1e-8, Range::positive());
    nl_max_it_ = static_cast<int>(cfg.get_int(sec + "nonlinear_max_it", 50, Range::at_least(1)));
    if (mode_ != DiffusionMode::kImplicit)
      cfg.fail(sec + "diffusion_law", "diffusion_law = \"power\" needs diffusion = \"implicit\"");
    if (d_const_ != 0.0)
      cfg.fail(sec + "diffusivity",
               "diffusion_law = \"power\" takes D(u) from power_k and power_exponent: leave "
               "diffusivity at 0");
  }
  bc_ = BoundaryParams::from_config(cfg, ndim);
  mesh_params_ = MeshParams::from_config(cfg);
  mesh_params_.periodic = bc_.periodic();
  sources_.resize(ns);
  // Matrix boundary conditions must exist for every scalar when there is diffusion.
  if (d_const_ > 0.0 || mode_ == DiffusionMode::kImplicit) {
    for (const auto& n : names_) (void)face_conditions_from(bc_, ndim, n);
  }
}

ConvDiffModule::~ConvDiffModule() = default;

void ConvDiffModule::register_fields(FieldRegistry& reg) {
  fids_.clear();
  for (const auto& n : names_) {
    FieldSpec s;
    s.name = n;
    s.components = {n};
    s.vector_axis = {-1};
    s.units = "1";
    s.description = "passive scalar (concentration) advected, diffused and decaying";
    fids_.push_back(reg.add(s));
  }
  qids_.clear();
  if (sorption_ == Sorption::kNone) return;
  for (const auto& n : names_) {
    FieldSpec s;
    s.name = "q_" + n;
    s.components = {"q_" + n};
    s.vector_axis = {-1};
    s.units = "1";
    s.description = "adsorbed phase of " + n + " (per unit volume of mobile phase / alpha)";
    qids_.push_back(reg.add(s));
  }
}

void ConvDiffModule::set_diffusivity(std::function<double(const std::array<double, 3>&)> d,
                                     double d_max) {
  d_fn_ = std::move(d);
  d_max_ = d_max;
  dcoef_ready_ = false;
}

void ConvDiffModule::set_source(int s, PointFn f) {
  sources_.at(s) = std::move(f);
}

void ConvDiffModule::set_velocity(VelocityFn v, const std::array<double, 3>& bound) {
  vel_fn_ = std::move(v);
  vel_bound_ = bound;
}

void ConvDiffModule::set_front_monitor(const std::array<double, 3>& centre, double threshold,
                                       std::function<double(double t)> exact_radius) {
  front_centre_ = centre;
  front_threshold_ = threshold;
  front_exact_ = std::move(exact_radius);
}

std::vector<std::string> ConvDiffModule::take_log_lines() {
  ++step_count_;  // called once per step, after the step
  std::vector<std::string> out;
  out.swap(log_lines_);
  return out;
}

void ConvDiffModule::log_report(const SolveReport& r, const char* what) {
  // Rule: every solve of the first 3 steps, then the solves of every 100th step, and any
  // solve that needed more than 50 Krylov iterations (a sign the preconditioner went stale
  // or the operator changed character).
  if (!(step_count_ < 3 || (step_count_ + 1) % 100 == 0 || r.iterations > 50)) return;
  log_lines_.push_back(fmt::format(
      "  solve '{}' {} (step to t = {:.6g}): {} iterations, true residual {:.3e} (relative "
      "{:.3e}), {}{}",
      r.prefix, what, step_end_t_, r.iterations, r.residual,
      r.rhs_norm > 0 ? r.residual / r.rhs_norm : r.residual, r.reason_name,
      r.preconditioner_setup ? ", preconditioner rebuilt" : ""));
}

double ConvDiffModule::max_dt(const Block& b) const {
  double dt = max_dt_;
  // Unsplit MUSCL + SSP-RK: dt sum_a |v_a| / dx_a <= 1 (Toro 2009, 16.4).
  double rate = 0.0;
  for (int a = 0; a < ndim_; ++a) rate += (vel_fn_ ? vel_bound_[a] : std::abs(v_[a])) / b.dx[a];
  if (rate > 0.0) dt = std::min(dt, 1.0 / rate);
  if (mode_ == DiffusionMode::kExplicit) {
    // The explicit operator's spectrum lies in [-(lambda + 4 sum D/dx^2), 0]; SSP-RK2/3 are
    // stable on [-2, 0] of the real axis, so dt <= 2 / (lambda + 4 sum D/dx^2).
    double lam = 0.0;
    for (double d : decay_) lam = std::max(lam, d);
    double r = lam;
    for (int a = 0; a < ndim_; ++a) r += 4.0 * d_max_ / (b.dx[a] * b.dx[a]);
    if (r > 0.0) dt = std::min(dt, 2.0 / r);
  }
  if (sorption_ != Sorption::kNone) {
    // Explicit kinetics: the linear system (c, q) has rates up to k_d + alpha k_a (Langmuir:
    // linearised about c ~ 1, q ~ 0, i.e. k_a q_max plays k_a); RK2/3 need dt * rate <= 2.
    const double ka = sorption_ == Sorption::kLangmuir ? k_a_ * (q_max_ + 1.0) : k_a_;
    const double r = k_d_ + (1.0 + alpha_) * ka;
    if (r > 0.0) dt = std::min(dt, 2.0 / r);
  }
  return dt;
}

void ConvDiffModule::add_rhs(const Block& b, double t, std::vector<Array4>& rhs) {
  const int ns = num_scalars();
  bool any_v = static_cast<bool>(vel_fn_);
  for (int a = 0; a < ndim_; ++a) any_v = any_v || v_[a] != 0.0;
  if (any_v) {
    if (flux_.dims() != b.dims() || flux_.ncomp() != 1) flux_.resize(1, b.dims());
    if (vel_fn_) {
      // Normal velocity at the centre of the lower face of every cell (faces lo..hi along
      // the axis), at the stage time: flat index p = the face between cells p - s and p.
      for (int a = 0; a < ndim_; ++a) {
        Array4& vf = vface_[a];
        if (vf.dims() != b.dims() || vf.ncomp() != 1) vf.resize(1, b.dims());
        IndexBox faces = b.interior();
        faces.hi[a] += 1;
        for_each_cell(faces, [&](int k, int j, int i) {
          const std::array<int, 3> idx{i, j, k};
          std::array<double, 3> x{0.0, 0.0, 0.0};
          for (int c = 0; c < ndim_; ++c)
            x[c] = b.lower[c] + (idx[c] - b.ng[c] + (c == a ? 0.0 : 0.5)) * b.dx[c];
          vf(0, k, j, i) = vel_fn_(a, x, t);
        });
      }
    }
    for (int s = 0; s < ns; ++s) {
      const Array4& u = b.field(fids_[s]);
      with_limiter(limiter_, [&](auto lim) {
        using Lim = decltype(lim);
        auto along = [&](auto axis) {
          constexpr int A = decltype(axis)::value;
          if (vel_fn_) {
            const double* vf = vface_[A].comp(0);
            add_upwind_divergence<A, Lim>(
                b, u, 0, rhs[fids_[s]], 0, flux_, [vf](std::ptrdiff_t p) { return vf[p]; },
                first_order_);
            return;
          }
          const double v = v_[A];
          if (v == 0.0) return;
          add_upwind_divergence<A, Lim>(
              b, u, 0, rhs[fids_[s]], 0, flux_, [v](std::ptrdiff_t) { return v; }, first_order_);
        };
        along(std::integral_constant<int, 0>{});
        if (ndim_ > 1) along(std::integral_constant<int, 1>{});
        if (ndim_ > 2) along(std::integral_constant<int, 2>{});
      });
    }
  }
  if (sorption_ != Sorption::kNone) {
    // Exchange between mobile and adsorbed phases (pointwise): q_t = rate, c_t -= alpha rate.
    for (int s = 0; s < ns; ++s) {
      const Array4& c = b.field(fids_[s]);
      const Array4& q = b.field(qids_[s]);
      Array4& rc = rhs[fids_[s]];
      Array4& rq = rhs[qids_[s]];
      const bool lang = sorption_ == Sorption::kLangmuir;
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const double cv = c(0, k, j, i), qv = q(0, k, j, i);
        const double rate = (lang ? k_a_ * cv * (q_max_ - qv) : k_a_ * cv) - k_d_ * qv;
        rq(0, k, j, i) += rate;
        rc(0, k, j, i) -= alpha_ * rate;
      });
    }
  }
  if (mode_ != DiffusionMode::kExplicit) return;
  // Explicit diffusion + decay + source: rhs -= H u with H = lambda - div(D grad), the same
  // face terms as the implicit matrix (solvers/fv_diffusion).
  std::vector<Array4> dblock(1);
  if (d_fn_) fill_block_function(mesh_params_, b, d_fn_, dblock[0]);
  for (int s = 0; s < ns; ++s) {
    HelmholtzSpec spec;
    spec.alpha = decay_[s];
    spec.beta = 1.0;
    spec.d_const = d_const_;
    spec.diffusivity = d_fn_ ? &dblock : nullptr;
    spec.bc = face_conditions_from(bc_, ndim_, names_[s]);
    apply_helmholtz(b, 0, spec, b.field(fids_[s]), 0, -1.0, rhs[fids_[s]], 0);
    if (sources_[s]) {
      Array4 src;
      fill_block_function(
          mesh_params_, b, [&](const std::array<double, 3>& x) { return sources_[s](x, t); }, src);
      Array4& r = rhs[fids_[s]];
      for_each_cell(b.interior(), [&](int k, int j, int i) { r(0, k, j, i) += src(0, k, j, i); });
    }
  }
}

void ConvDiffModule::ensure_solvers(Mesh& mesh) {
  if (!implicit_.empty()) return;
  if (d_fn_) fill_cell_function(mesh, d_fn_, dcoef_);
  for (int s = 0; s < num_scalars(); ++s) {
    auto im = std::make_unique<Implicit>();
    im->sys = std::make_unique<LinearSystem>(mesh, solver_opts_);
    im->op = std::make_unique<LinearSystem>(mesh, solver_opts_);
    HelmholtzSpec spec;
    spec.alpha = decay_[s];
    spec.beta = 1.0;
    spec.d_const = d_const_;
    spec.diffusivity = d_fn_ ? &dcoef_ : nullptr;
    spec.bc = face_conditions_from(bc_, ndim_, names_[s]);
    im->r_a.assign(static_cast<std::size_t>(im->op->numbering().local_rows()), 0.0);
    assemble_helmholtz(mesh, spec, *im->op, &im->r_a);
    im->ustar = im->sys->make_vector();
    im->au = im->sys->make_vector();
    im->rbc = im->sys->make_vector();
    im->src = im->sys->make_vector();
    im->src2 = im->sys->make_vector();
    {
      VecArray r(im->rbc);
      for (std::size_t i = 0; i < im->r_a.size(); ++i)
        r[static_cast<std::ptrdiff_t>(i)] = im->r_a[i];
    }
    implicit_.push_back(std::move(im));
  }
}

void ConvDiffModule::fill_source(Mesh& mesh, int s, double t, Vec out) {
  const CellNumbering& num = implicit_[s]->sys->numbering();
  VecArray o(out);
  Array4 src;
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    fill_block_function(
        mesh_params_, b, [&](const std::array<double, 3>& x) { return sources_[s](x, t); }, src);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      o[num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row()] = src(0, k, j, i);
    });
  }
}

namespace {
/// Copies the interior of field `fid` into / out of a vector in the global row order.
void field_to_vec(Mesh& mesh, const CellNumbering& num, int fid, Vec v, bool to_vec) {
  VecArray a(v);
  for (const auto& bp : mesh.blocks()) {
    Block& b = *bp;
    Array4& u = b.field(fid);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const auto r = num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row();
      if (to_vec)
        a[r] = u(0, k, j, i);
      else
        u(0, k, j, i) = a[r];
    });
  }
}
}  // namespace

void ConvDiffModule::implicit_stage(Mesh& mesh, double t, double dt) {
  if (mode_ != DiffusionMode::kImplicit) return;
  step_end_t_ = t + dt;
  ensure_solvers(mesh);
  last_iterations_ = 0;
  last_residual_ = 0.0;
  last_nl_iterations_ = 0;
  last_nl_residual_ = 0.0;
  if (law_ == DiffusionLaw::kPower) {
    for (int s = 0; s < num_scalars(); ++s) implicit_nonlinear(mesh, s, t, dt);
    return;
  }
  const char* what = scheme_ == ImplicitScheme::kBackwardEuler   ? "backward Euler"
                     : scheme_ == ImplicitScheme::kCrankNicolson ? "Crank-Nicolson"
                                                                 : "TR-BDF2 stage";
  auto record = [&](const SolveReport& r) {
    last_iterations_ += r.iterations;
    total_iterations_ += r.iterations;
    ++solves_;
    last_residual_ =
        std::max(last_residual_, r.rhs_norm > 0 ? r.residual / r.rhs_norm : r.residual);
    log_report(r, what);
  };
  const double theta = scheme_ == ImplicitScheme::kBackwardEuler   ? 1.0
                       : scheme_ == ImplicitScheme::kCrankNicolson ? 0.5
                                                                   : 0.5 * kGamma;
  const double coef = theta * dt;
  for (int s = 0; s < num_scalars(); ++s) {
    Implicit& im = *implicit_[s];
    LinearSystem& sys = *im.sys;
    const CellNumbering& num = sys.numbering();
    if (im.coef != coef) {
      // M = I + theta dt (lambda - div D grad): reassembled (and its preconditioner rebuilt)
      // only when theta dt changes, e.g. on the last step clipped to t_end.
      HelmholtzSpec spec;
      spec.alpha = 1.0 + coef * decay_[s];
      spec.beta = coef;
      spec.d_const = d_const_;
      spec.diffusivity = d_fn_ ? &dcoef_ : nullptr;
      spec.bc = face_conditions_from(bc_, ndim_, names_[s]);
      assemble_helmholtz(mesh, spec, sys, nullptr);
      im.coef = coef;
    }
    const bool src = static_cast<bool>(sources_[s]);
    Vec b = sys.rhs(), x = sys.solution();
    field_to_vec(mesh, num, fids_[s], im.ustar, true);
    TESSERA_PETSC(VecCopy(im.ustar, x));  // warm start: the current state
    if (scheme_ == ImplicitScheme::kBackwardEuler) {
      // (I + dt A) u1 = u* + dt (r_A + S(t + dt))
      TESSERA_PETSC(VecWAXPY(b, dt, im.rbc, im.ustar));
      if (src) {
        fill_source(mesh, s, t + dt, im.src);
        TESSERA_PETSC(VecAXPY(b, dt, im.src));
      }
      record(sys.solve());
    } else {
      // Trapezoidal stage over h = dt (CN) or gamma dt (TR-BDF2):
      // (I + h/2 A) u = u* - h/2 A u* + h r_A + h/2 (S(t) + S(t + h))
      const double h = scheme_ == ImplicitScheme::kCrankNicolson ? dt : kGamma * dt;
      TESSERA_PETSC(MatMult(im.op->matrix(), im.ustar, im.au));
      TESSERA_PETSC(VecWAXPY(b, -0.5 * h, im.au, im.ustar));
      TESSERA_PETSC(VecAXPY(b, h, im.rbc));
      if (src) {
        fill_source(mesh, s, t, im.src);
        fill_source(mesh, s, t + h, im.src2);
        TESSERA_PETSC(VecAXPBYPCZ(b, 0.5 * h, 0.5 * h, 1.0, im.src, im.src2));
      }
      record(sys.solve());
      if (scheme_ == ImplicitScheme::kTRBDF2) {
        // BDF2 stage: (I + w dt A) u1 = (u_g - (1-g)^2 u*) / (g (2-g)) + w dt (r_A + S(t+dt)),
        // w = (1-g)/(2-g) = g/2 for g = 2 - sqrt(2): the same matrix. Warm start: u_g.
        const double g = kGamma, w = (1.0 - g) / (2.0 - g);
        const double c = 1.0 / (g * (2.0 - g));
        TESSERA_PETSC(VecAXPBYPCZ(b, c, -c * (1.0 - g) * (1.0 - g), 0.0, x, im.ustar));
        TESSERA_PETSC(VecAXPY(b, w * dt, im.rbc));
        if (src) {
          fill_source(mesh, s, t + dt, im.src);
          TESSERA_PETSC(VecAXPY(b, w * dt, im.src));
        }
        record(sys.solve());
      }
    }
    field_to_vec(mesh, num, fids_[s], x, false);
  }
}

void ConvDiffModule::fill_power_diffusivity(Mesh& mesh, int fid) {
  dpow_.resize(mesh.blocks().size());
  for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
    const Block& b = *mesh.blocks()[lb];
    const Array4& u = b.field(fid);
    Array4& d = dpow_[lb];
    if (d.dims() != b.dims() || d.ncomp() != 1) d.resize(1, b.dims());
    IndexBox box = b.interior();
    for (int a = 0; a < ndim_; ++a) box.lo[a] -= 1, box.hi[a] += 1;
    // D(u) = k max(u, 0)^p: u can dip below 0 by round-off in the exponentially small tail the
    // implicit solve spreads ahead of the front; D is 0 there.
    for_each_cell(box, [&](int k, int j, int i) {
      const double v = std::max(u(0, k, j, i), 0.0);
      d(0, k, j, i) = pow_p_ == 1.0 ? pow_k_ * v : pow_k_ * std::pow(v, pow_p_);
    });
  }
}

void ConvDiffModule::picard(Mesh& mesh, int s, double coef, Vec b0, double t_new,
                            const char* stage) {
  Implicit& im = *implicit_[s];
  LinearSystem& sys = *im.sys;
  const CellNumbering& num = sys.numbering();
  const int fid = fids_[s];
  HelmholtzSpec spec;
  spec.alpha = 1.0 + coef * decay_[s];
  spec.beta = coef;
  spec.diffusivity = &dpow_;
  spec.face_mean = FaceMean::kArithmetic;
  spec.bc = face_conditions_from(bc_, ndim_, names_[s]);
  Vec b = sys.rhs(), x = sys.solution();
  double fnorm = 0.0, bnorm = 0.0;
  int krylov = 0;
  for (int it = 0;; ++it) {
    // Lagged coefficients (Picard): D from the current iterate, whose ghost cells must hold
    // the neighbours' values (other blocks and ranks) and the physical BCs.
    fill_halos({fid}, t_new);
    fill_power_diffusivity(mesh, fid);
    std::fill(im.r_a.begin(), im.r_a.end(), 0.0);
    // Preconditioner rule: rebuilt at the first iteration of each stage, then reused for the
    // remaining Picard iterations (the coefficients change little between iterates).
    assemble_helmholtz(mesh, spec, sys, &im.r_a, /*rebuild_preconditioner=*/it == 0);
    {
      VecArray bb(b);
      VecArray b0a(b0);
      for (std::size_t i = 0; i < im.r_a.size(); ++i) {
        const auto r = static_cast<std::ptrdiff_t>(i);
        bb[r] = b0a[r] + im.r_a[i];  // r_a already carries the factor coef (beta)
      }
    }
    // Nonlinear residual of the current iterate: F(u) = M(u) u - b(u).
    field_to_vec(mesh, num, fid, x, true);
    TESSERA_PETSC(MatMult(sys.matrix(), x, im.au));
    TESSERA_PETSC(VecAXPY(im.au, -1.0, b));
    TESSERA_PETSC(VecNorm(im.au, NORM_2, &fnorm));
    TESSERA_PETSC(VecNorm(b, NORM_2, &bnorm));
    const double rel = bnorm > 0.0 ? fnorm / bnorm : fnorm;
    if (rel <= nl_rtol_) {
      last_nl_iterations_ += it;
      last_nl_residual_ = std::max(last_nl_residual_, rel);
      if (step_count_ < 3 || (step_count_ + 1) % 100 == 0 || it > 20) {
        log_lines_.push_back(fmt::format(
            "  nonlinear '{}' {} (step to t = {:.6g}): {} Picard iterations ({} Krylov), "
            "nonlinear residual {:.3e} relative (rtol {:.1e})",
            solver_opts_.prefix, stage, step_end_t_, it, krylov, rel, nl_rtol_));
      }
      return;
    }
    if (it >= nl_max_it_) {
      throw SolverError(
          fmt::format("nonlinear diffusion '{}' ({}, Picard) did not converge: relative "
                      "residual {:.3e} after {} iterations (nonlinear_rtol {:.1e}, "
                      "nonlinear_max_it {}). Reduce the time step (physics.convdiff.max_dt) or "
                      "raise physics.convdiff.nonlinear_max_it",
                      solver_opts_.prefix, stage, rel, it, nl_rtol_, nl_max_it_),
          true);
    }
    const SolveReport r = sys.solve();  // warm start: the current iterate
    krylov += r.iterations;
    last_iterations_ += r.iterations;
    total_iterations_ += r.iterations;
    ++solves_;
    last_residual_ =
        std::max(last_residual_, r.rhs_norm > 0 ? r.residual / r.rhs_norm : r.residual);
    log_report(r, stage);
    field_to_vec(mesh, num, fid, x, false);
  }
}

void ConvDiffModule::implicit_nonlinear(Mesh& mesh, int s, double t, double dt) {
  // u_t = div(D(u) grad u) - lambda u + S with D(u) = k u^p. Each implicit stage solves
  // (I + c A(u)) u = b by Picard iteration (Celia, Bouloutas & Zarba, Water Resour. Res. 26
  // (1990) use the same lagged-coefficient iteration for Richards' equation); the explicit
  // halves of CN / TR-BDF2 use A(u^n) u^n assembled at the old state.
  Implicit& im = *implicit_[s];
  const CellNumbering& num = im.sys->numbering();
  const int fid = fids_[s];
  const bool src = static_cast<bool>(sources_[s]);
  field_to_vec(mesh, num, fid, im.ustar, true);
  if (scheme_ == ImplicitScheme::kBackwardEuler) {
    TESSERA_PETSC(VecCopy(im.ustar, im.src2));
    if (src) {
      fill_source(mesh, s, t + dt, im.src);
      TESSERA_PETSC(VecAXPY(im.src2, dt, im.src));
    }
    picard(mesh, s, dt, im.src2, t + dt, "backward Euler");
    return;
  }
  const double h = scheme_ == ImplicitScheme::kCrankNicolson ? dt : kGamma * dt;
  // Explicit half: b0 = u* - h/2 H(u*) with H u = A(u*) u - r_A(u*) (field holds u*).
  fill_halos({fid}, t);
  fill_power_diffusivity(mesh, fid);
  HelmholtzSpec spec;
  spec.alpha = decay_[s];
  spec.beta = 1.0;
  spec.diffusivity = &dpow_;
  spec.face_mean = FaceMean::kArithmetic;
  spec.bc = face_conditions_from(bc_, ndim_, names_[s]);
  std::fill(im.r_a.begin(), im.r_a.end(), 0.0);
  assemble_helmholtz(mesh, spec, *im.op, &im.r_a, false);
  TESSERA_PETSC(MatMult(im.op->matrix(), im.ustar, im.au));
  {
    VecArray a(im.au);
    for (std::size_t i = 0; i < im.r_a.size(); ++i) a[static_cast<std::ptrdiff_t>(i)] -= im.r_a[i];
  }
  TESSERA_PETSC(VecWAXPY(im.src2, -0.5 * h, im.au, im.ustar));
  if (src) {
    fill_source(mesh, s, t, im.src);
    TESSERA_PETSC(VecAXPY(im.src2, 0.5 * h, im.src));
    fill_source(mesh, s, t + h, im.src);
    TESSERA_PETSC(VecAXPY(im.src2, 0.5 * h, im.src));
  }
  picard(mesh, s, 0.5 * h, im.src2, t + h,
         scheme_ == ImplicitScheme::kCrankNicolson ? "Crank-Nicolson" : "TR-BDF2 TR stage");
  if (scheme_ != ImplicitScheme::kTRBDF2) return;
  // BDF2 stage with the same coefficient w dt = (gamma/2) dt: b0 = (u_g - (1-g)^2 u*) /
  // (g (2-g)) + w dt S(t + dt); the field holds u_g.
  const double g = kGamma, w = (1.0 - g) / (2.0 - g), c = 1.0 / (g * (2.0 - g));
  field_to_vec(mesh, num, fid, im.src, true);
  TESSERA_PETSC(VecAXPBYPCZ(im.src2, c, -c * (1.0 - g) * (1.0 - g), 0.0, im.src, im.ustar));
  if (src) {
    fill_source(mesh, s, t + dt, im.src);
    TESSERA_PETSC(VecAXPY(im.src2, w * dt, im.src));
  }
  picard(mesh, s, w * dt, im.src2, t + dt, "TR-BDF2 BDF2 stage");
}

std::vector<HistoryValue> ConvDiffModule::history_values(Mesh& mesh, double t) {
  std::vector<HistoryValue> out;
  // Detector at the outlet: mean of c over the cells adjacent to the x1 upper face (each rank
  // adds its share; the driver sums in rank order).
  double ncell = 1.0;
  for (int a = 1; a < ndim_; ++a) ncell *= static_cast<double>(mesh.params().cells[a]);
  for (int s = 0; s < num_scalars(); ++s) {
    double sum = 0.0;
    for (const auto& bp : mesh.blocks()) {
      const Block& b = *bp;
      if (b.neighbor[Block::dir_index(1, 0, 0)] >= 0 && !mesh.params().periodic[0]) continue;
      if (b.loc[0] != mesh.nblocks_dim()[0] - 1) continue;
      IndexBox box = b.interior();
      box.lo[0] = box.hi[0] - 1;
      const Array4& c = b.field(fids_[s]);
      for_each_cell(box, [&](int k, int j, int i) { sum += c(0, k, j, i); });
    }
    out.push_back({"outlet_" + names_[s], sum / ncell, HistoryReduce::kSum});
  }
  if (front_exact_) {
    // Front: the largest distance from the centre of a cell centre above the threshold (each
    // rank its own; max over ranks). The error column subtracts the exact radius on every rank
    // before the max, so the max is the global front's error.
    const double exact = front_exact_(t);
    double dxmin = kInf;
    for (int a = 0; a < ndim_; ++a)
      dxmin = std::min(dxmin, (mesh.params().upper[a] - mesh.params().lower[a]) /
                                  static_cast<double>(mesh.params().cells[a]));
    for (int s = 0; s < num_scalars(); ++s) {
      double r = 0.0;
      for (const auto& bp : mesh.blocks()) {
        const Block& b = *bp;
        const Array4& c = b.field(fids_[s]);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          if (!(c(0, k, j, i) > front_threshold_)) return;
          const std::array<int, 3> idx{i, j, k};
          double d2 = 0.0;
          for (int a = 0; a < ndim_; ++a) {
            const double x = b.lower[a] + (idx[a] - b.ng[a] + 0.5) * b.dx[a] - front_centre_[a];
            d2 += x * x;
          }
          r = std::max(r, std::sqrt(d2));
        });
      }
      out.push_back({"front_" + names_[s], r, HistoryReduce::kMax});
      out.push_back({"front_exact_" + names_[s], exact, HistoryReduce::kMax});
      out.push_back({"front_error_cells_" + names_[s], (r - exact) / dxmin, HistoryReduce::kMax});
    }
  }
  if (mode_ != DiffusionMode::kImplicit) return out;
  // The same on every rank (KSP results are collective): combine with max.
  out.insert(out.end(), {{solver_opts_.prefix + "iterations", static_cast<double>(last_iterations_),
                          HistoryReduce::kMax},
                         {solver_opts_.prefix + "residual", last_residual_, HistoryReduce::kMax}});
  if (law_ == DiffusionLaw::kPower) {
    out.insert(out.end(), {{solver_opts_.prefix + "nonlinear_iterations",
                            static_cast<double>(last_nl_iterations_), HistoryReduce::kMax},
                           {solver_opts_.prefix + "nonlinear_residual", last_nl_residual_,
                            HistoryReduce::kMax}});
  }
  return out;
}

}  // namespace tessera
