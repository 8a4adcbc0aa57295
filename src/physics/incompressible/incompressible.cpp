// Incompressible Navier-Stokes by projection on a staggered (MAC) grid; see incompressible.hpp.
//
// [physics.incompressible] keys:
//   nu = 0.01                 kinematic viscosity [L^2/T] (without boussinesq; required)
//   boussinesq = false        temperature field and buoyancy beta T e_g
//   rayleigh, prandtl         Ra, Pr (with boussinesq; required)
//   scaling = "diffusive"     "diffusive": nu = Pr, kappa = 1, beta = Ra Pr (velocity in kappa/L,
//                             time in L^2/kappa; de Vahl Davis 1983); "free_fall": nu =
//                             sqrt(Pr/Ra), kappa = 1/sqrt(Ra Pr), beta = 1 (free-fall velocity, as
//                             in Dedalus' Rayleigh-Benard example and RL-control studies)
//   gravity_axis = 2          buoyancy acts along +x<gravity_axis> (gravity along -x<axis>)
//   body_force = [fx, fy, fz] constant body force per unit mass [L/T^2] (default 0)
//   scheme = "rk3"            "rk2" | "rk3": SSP Runge-Kutta, one projection per stage
//   div_tol = 1e-10           absolute tolerance of each pressure solve [1/T]: the true residual
//                             of the Poisson equation, which is the divergence left after the
//                             projection, satisfies ||div u||_2 <= div_tol (PETSc atol)
//   pressure_max_it = 500     Krylov iteration limit (non-convergence stops the run)
//   max_dt                    cap on the step at Courant 1 [T] (default none)
//   timing_history = false    history columns step_seconds and pressure_seconds: wall time of
//                             the module's steps and of the pressure solves in them (this rank,
//                             cumulative; for benchmarks, not reproducible)
// Per non-periodic domain face, a sub-table [physics.incompressible.x<a>_<lower|upper>]:
//   type = "no_slip" | "free_slip" | "inflow" | "outflow"   (default "no_slip")
//   velocity = [..]           no_slip: wall velocity (tangential; a moving lid); inflow: the
//                             inflow velocity [L/T]
//   profile = "uniform" | "parabolic"   inflow profile across the non-periodic tangential axes
//   temperature_bc = "adiabatic" | "fixed" | "flux"    (boussinesq only; default "adiabatic")
//   temperature = T_w         fixed wall temperature [1]
//   heat_flux = q             heat flux into the fluid [kappa x 1/L]
// Periodicity comes from [boundary] (x<a>_lower/upper = "periodic"); the module sets the ghost
// values of its fields on the other faces itself, whatever [boundary] says there.
#include "tessera/physics/incompressible.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "tessera/bc/boundary.hpp"
#include "tessera/core/config.hpp"
#include "tessera/solvers/fv_diffusion.hpp"

namespace tessera {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

template <typename F>
inline void for_each_axis(int ndim, F&& f) {
  f(std::integral_constant<int, 0>{});
  if (ndim > 1) f(std::integral_constant<int, 1>{});
  if (ndim > 2) f(std::integral_constant<int, 2>{});
}

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// True when face (axis, side) of the block is a physical (non-periodic) domain face.
inline bool physical(const Block& b, int axis, int side) {
  std::array<int, 3> o{0, 0, 0};
  o[axis] = side ? 1 : -1;
  return b.neighbor[Block::dir_index(o[0], o[1], o[2])] < 0;
}

/// Faces of component a that the momentum equation advances: every stored face except the
/// lower domain face along a (a boundary face, set by the boundary condition).
inline IndexBox face_box(const Block& b, int a) {
  IndexBox box = b.interior();
  if (physical(b, a, 0)) box.lo[a] += 1;
  return box;
}

/// Flat offset of (k, j, i) in an array shaped like the block.
inline std::ptrdiff_t offset(const Array4& u, int k, int j, int i) {
  return i + u.stride(1) * j + u.stride(2) * k;
}

/// Shu-Osher stages U <- a U^n + b (U + dt L(U)) at t + c dt (Gottlieb & Shu 1998, eqs. 4.1, 4.2).
struct Stage {
  double a, b, c;
};
const std::vector<Stage>& stages(int n) {
  static const std::vector<Stage> rk2{{0.0, 1.0, 0.0}, {0.5, 0.5, 1.0}};
  static const std::vector<Stage> rk3{
      {0.0, 1.0, 0.0}, {0.75, 0.25, 1.0}, {1.0 / 3.0, 2.0 / 3.0, 0.5}};
  return n == 2 ? rk2 : rk3;
}

/// Momentum right-hand side of component A on its advanced faces:
///   -div(u u_A) + nu lap u_A + f_A (+ beta T on the gravity axis),
/// advection in divergence form with the interpolations of Morinishi et al. (1998, eq. 43):
/// along A the flux (u_A averaged to cell centres)^2, across axis b the product of u_b averaged
/// along A and u_A averaged along b at the cell edge; this form conserves momentum and, with the
/// discretely divergence-free velocity, kinetic energy (up to the time integration).
template <int A>
void momentum_rhs(const Block& b, int ndim, const Array4& u, const Array4* temp, double nu,
                  double force, double beta, bool buoyant, Array4& r) {
  const std::array<std::ptrdiff_t, 3> st{u.stride(0), u.stride(1), u.stride(2)};
  const std::ptrdiff_t sa = st[A];
  const double* ua = u.comp(A);
  const double* tt = temp ? temp->comp(0) : nullptr;
  double* ra = r.comp(A);
  std::array<double, 3> ih{}, ih2{};
  for (int d = 0; d < ndim; ++d) ih[d] = 1.0 / b.dx[d], ih2[d] = ih[d] * ih[d];
  for_each_cell(face_box(b, A), [&](int k, int j, int i) {
    const std::ptrdiff_t q = offset(u, k, j, i);
    const double up = 0.5 * (ua[q] + ua[q + sa]), um = 0.5 * (ua[q - sa] + ua[q]);
    double adv = (up * up - um * um) * ih[A];
    double lap = (ua[q + sa] - 2.0 * ua[q] + ua[q - sa]) * ih2[A];
    for (int d = 0; d < ndim; ++d) {
      if (d == A) continue;
      const double* ub = u.comp(d);
      const std::ptrdiff_t sb = st[d];
      const double fp = 0.25 * (ub[q + sb] + ub[q + sb - sa]) * (ua[q] + ua[q + sb]);
      const double fm = 0.25 * (ub[q] + ub[q - sa]) * (ua[q - sb] + ua[q]);
      adv += (fp - fm) * ih[d];
      lap += (ua[q + sb] - 2.0 * ua[q] + ua[q - sb]) * ih2[d];
    }
    double v = -adv + nu * lap + force;
    if (buoyant) v += beta * 0.5 * (tt[q] + tt[q - sa]);
    ra[q] = v;
  });
}

/// Temperature right-hand side -div(u T) + kappa lap T on the interior cells (face velocities
/// times the arithmetic mean of the two cells: the conservative central scheme).
void temperature_rhs(const Block& b, int ndim, const Array4& u, const Array4& temp, double kappa,
                     Array4& r) {
  const double* tt = temp.comp(0);
  double* rt = r.comp(0);
  for_each_cell(b.interior(), [&](int k, int j, int i) {
    const std::ptrdiff_t q = offset(temp, k, j, i);
    double v = 0.0;
    for (int d = 0; d < ndim; ++d) {
      const std::ptrdiff_t s = temp.stride(d);
      const double* ud = u.comp(d);
      const double ih = 1.0 / b.dx[d];
      v -= (ud[q + s] * 0.5 * (tt[q] + tt[q + s]) - ud[q] * 0.5 * (tt[q - s] + tt[q])) * ih;
      v += kappa * (tt[q + s] - 2.0 * tt[q] + tt[q - s]) * ih * ih;
    }
    rt[q] = v;
  });
}

/// Calls f(k, j, i) for every (k, j, i) of the block's full extent with index `idx` along `axis`.
template <typename F>
void for_each_on_plane(const Block& b, int axis, int idx, F&& f) {
  IndexBox box = b.all();
  box.lo[axis] = idx;
  box.hi[axis] = idx + 1;
  for_each_cell(box, f);
}

WallKind wall_kind(const std::string& s) {
  if (s == "free_slip") return WallKind::kFreeSlip;
  if (s == "inflow") return WallKind::kInflow;
  if (s == "outflow") return WallKind::kOutflow;
  return WallKind::kNoSlip;
}

}  // namespace

/// Per-run work storage, built at the first step (needs the mesh).
struct IncompressibleModule::Work {
  std::unique_ptr<LinearSystem> ls;
  std::vector<Array4> u0, t0, ru, rt;  // per local block: step-start state, right-hand sides
};

IncompressibleModule::IncompressibleModule(const Config& cfg, int ndim) : ndim_(ndim) {
  const std::string p = "physics.incompressible.";
  if (ndim < 2) cfg.fail("mesh.cells", "[physics.incompressible] needs a 2D or 3D mesh");
  boussinesq_ = cfg.get_bool(p + "boussinesq", false);
  if (boussinesq_) {
    const double ra = cfg.require_double(p + "rayleigh", Range::positive());
    const double pr = cfg.require_double(p + "prandtl", Range::positive());
    const std::string sc = cfg.get_string(p + "scaling", "diffusive", {"diffusive", "free_fall"});
    if (sc == "diffusive") {
      nu_ = pr, kappa_ = 1.0, beta_ = ra * pr;
    } else {
      nu_ = std::sqrt(pr / ra), kappa_ = 1.0 / std::sqrt(ra * pr), beta_ = 1.0;
    }
    gaxis_ = static_cast<int>(cfg.get_int(p + "gravity_axis", 2, Range::between(1, ndim))) - 1;
  } else {
    nu_ = cfg.require_double(p + "nu", Range::non_negative());
  }
  const auto f = cfg.get_doubles(p + "body_force", std::vector<double>(ndim, 0.0), ndim);
  for (int a = 0; a < ndim; ++a) force_[a] = f[a];
  stages_ = cfg.get_string(p + "scheme", "rk3", {"rk2", "rk3"}) == "rk2" ? 2 : 3;
  div_tol_ = cfg.get_double(p + "div_tol", 1e-10, Range::positive());
  dt_cap_ = cfg.get_double(p + "max_dt", kInf, Range::positive());
  timing_ = cfg.get_bool(p + "timing_history", false);
  popts_.prefix = "pressure_";
  popts_.spd = true;  // -lap with Neumann / Dirichlet / periodic faces: symmetric semi-definite
  popts_.atol = div_tol_;
  // The absolute tolerance decides; rtol only guards against an atol below round-off.
  popts_.rtol = 1e-14;
  popts_.max_it = static_cast<int>(cfg.get_int(p + "pressure_max_it", 500, Range::at_least(1)));

  const BoundaryParams bc = BoundaryParams::from_config(cfg, ndim);
  mesh_params_ = MeshParams::from_config(cfg);
  mesh_params_.periodic = bc.periodic();
  bool any_fixed = false;
  t_hot_ = -kInf, t_cold_ = kInf;
  double inflow = 0.0;
  for (int a = 0; a < ndim; ++a) {
    for (int s = 0; s < 2; ++s) {
      IncompressibleFace& fc = faces_[a][s];
      const std::string sec = fmt::format("{}x{}_{}", p, a + 1, s ? "upper" : "lower");
      if (mesh_params_.periodic[a]) {
        fc.periodic = true;
        if (cfg.has_section(sec)) {
          cfg.fail(sec,
                   "this face is periodic in [boundary]; remove the section, or make the "
                   "[boundary] face non-periodic (e.g. \"outflow\")");
        }
        continue;
      }
      fc.kind = wall_kind(
          cfg.get_string(sec + ".type", "no_slip", {"no_slip", "free_slip", "inflow", "outflow"}));
      if (fc.kind == WallKind::kNoSlip || fc.kind == WallKind::kInflow) {
        const auto v = cfg.get_doubles(sec + ".velocity", std::vector<double>(ndim, 0.0), ndim);
        for (int c = 0; c < ndim; ++c) fc.velocity[c] = v[c];
        if (fc.kind == WallKind::kNoSlip && v[a] != 0.0) {
          cfg.fail(sec + ".velocity",
                   "a wall moves only tangentially: the normal component "
                   "must be 0 (use type = \"inflow\" for flow through it)");
        }
        if (fc.kind == WallKind::kInflow && (s ? v[a] >= 0.0 : v[a] <= 0.0)) {
          cfg.fail(sec + ".velocity", "an inflow velocity must point into the domain");
        }
        fc.parabolic =
            fc.kind == WallKind::kInflow &&
            cfg.get_string(sec + ".profile", "uniform", {"uniform", "parabolic"}) == "parabolic";
        if (fc.kind == WallKind::kInflow) inflow += std::abs(v[a]);
        for (int c = 0; c < ndim; ++c) wall_speed_ = std::max(wall_speed_, std::abs(v[c]));
      }
      any_outflow_ = any_outflow_ || fc.kind == WallKind::kOutflow;
      if (boussinesq_) {
        const std::string tb =
            cfg.get_string(sec + ".temperature_bc", "adiabatic", {"adiabatic", "fixed", "flux"});
        if (tb == "fixed") {
          fc.thermal = ThermalKind::kFixed;
          fc.temperature = cfg.require_double(sec + ".temperature");
          t_hot_ = std::max(t_hot_, fc.temperature);
          t_cold_ = std::min(t_cold_, fc.temperature);
          any_fixed = true;
        } else if (tb == "flux") {
          fc.thermal = ThermalKind::kFlux;
          fc.heat_flux = cfg.require_double(sec + ".heat_flux");
        }
      }
    }
  }
  if (!any_fixed) t_hot_ = t_cold_ = 0.0;
  if (inflow > 0.0 && !any_outflow_) {
    cfg.fail(p.substr(0, p.size() - 1),
             "an inflow face needs an outflow face somewhere (mass "
             "must leave the domain): add type = \"outflow\"");
  }
  // Without an outflow face the pressure is defined up to a constant.
  popts_.constant_null_space = !any_outflow_;
}

IncompressibleModule::~IncompressibleModule() = default;

void IncompressibleModule::register_fields(FieldRegistry& reg) {
  const std::vector<std::string> fnames{"uf", "vf", "wf"}, cnames{"u", "v", "w"};
  FieldSpec uf;
  uf.name = "velocity_face";
  uf.components.assign(fnames.begin(), fnames.begin() + ndim_);
  uf.vector_axis.assign(ndim_, -1);  // the module sets its own boundary values
  uf.units = "L/T";
  uf.description = "staggered velocity: component a on the lower a-face of the cell";
  uf.integrated_by_driver = false;
  uf.conserved = false;
  uf_id_ = reg.add(uf);
  FieldSpec uc;
  uc.name = "velocity";
  uc.components.assign(cnames.begin(), cnames.begin() + ndim_);
  // A vector along the axes (derived, never halo-filled by the driver), so the dataset writer
  // and Catalyst hand it on as one vector field.
  for (int a = 0; a < ndim_; ++a) uc.vector_axis.push_back(a);
  uc.units = "L/T";
  uc.description = "cell-centred velocity (mean of the two faces), derived";
  uc.evolved = false;
  uc.conserved = false;
  uc_id_ = reg.add(uc);
  FieldSpec pr;
  pr.name = "pressure";
  pr.components = {"p"};
  pr.vector_axis = {-1};
  pr.units = "L^2/T^2";
  pr.description = "kinematic pressure of the last projection stage (zero mean without outflow)";
  pr.integrated_by_driver = false;  // checkpointed: the warm start of the next solve
  pr.conserved = false;
  p_id_ = reg.add(pr);
  if (boussinesq_) {
    FieldSpec th;
    th.name = "temperature";
    th.components = {"T"};
    th.vector_axis = {-1};
    th.units = "1";
    th.description = "non-dimensional temperature (Boussinesq)";
    th.integrated_by_driver = false;
    t_id_ = reg.add(th);
  }
}

double IncompressibleModule::boundary_velocity(int axis, int side, int c,
                                               const std::array<double, 3>& x) const {
  const IncompressibleFace& f = faces_[axis][side];
  double v = f.velocity[c];
  if (f.parabolic) {
    for (int d = 0; d < ndim_; ++d) {
      if (d == axis || mesh_params_.periodic[d]) continue;
      const double xi =
          (x[d] - mesh_params_.lower[d]) / (mesh_params_.upper[d] - mesh_params_.lower[d]);
      v *= 4.0 * xi * (1.0 - xi);
    }
  }
  return v;
}

double IncompressibleModule::max_dt(const Block& b) const {
  const Array4& u = b.field(uf_id_);
  double rate = 0.0, d2 = 0.0;
  for (int a = 0; a < ndim_; ++a) {
    double m = wall_speed_;
    const double* ua = u.comp(a);
    for_each_cell(b.interior(),
                  [&](int k, int j, int i) { m = std::max(m, std::abs(ua[offset(u, k, j, i)])); });
    rate += m / b.dx[a];
    d2 += 1.0 / (b.dx[a] * b.dx[a]);
  }
  // Central advection: eigenvalues on the imaginary axis up to sum |u_a|/dx_a; diffusion with
  // the quadratic wall ghost: real eigenvalues up to (16/3) D sum 1/dx^2 (Gershgorin), and
  // SSP-RK2/3 are stable on [-2, 0]: dt (16/3) D sum 1/dx^2 <= 2.
  rate += (8.0 / 3.0) * std::max(nu_, kappa_) * d2;
  return std::min(dt_cap_, rate > 0.0 ? 1.0 / rate : kInf);
}

void IncompressibleModule::ensure(Mesh& mesh) {
  if (work_) return;
  for (int a = 0; a < ndim_; ++a) {
    if (!mesh_params_.periodic[a] && mesh.params().block_cells[a] < 2) {
      throw ConfigError(
          fmt::format("[physics.incompressible]: the wall extrapolation needs at "
                      "least 2 cells per block along x{} (mesh.block_cells)",
                      a + 1));
    }
  }
  work_ = std::make_unique<Work>();
  work_->ls = std::make_unique<LinearSystem>(mesh, popts_);
  // -lap phi with the projection's boundary conditions: walls and inflow fix the normal velocity
  // (no correction there: d phi/dn = 0); an outflow face has phi = 0 (p = 0) at the face.
  HelmholtzSpec spec;
  spec.alpha = 0.0;
  spec.beta = 1.0;
  spec.d_const = 1.0;
  for (int a = 0; a < ndim_; ++a) {
    for (int s = 0; s < 2; ++s) {
      const IncompressibleFace& f = faces_[a][s];
      spec.bc[a][s] = f.periodic                     ? FaceCondition::make_periodic()
                      : f.kind == WallKind::kOutflow ? FaceCondition::dirichlet(0.0)
                                                     : FaceCondition::neumann(0.0);
    }
  }
  assemble_helmholtz(mesh, spec, *work_->ls, nullptr);
  const auto nb = mesh.blocks().size();
  work_->u0.resize(nb);
  work_->t0.resize(nb);
  work_->ru.resize(nb);
  work_->rt.resize(nb);
  for (std::size_t lb = 0; lb < nb; ++lb) {
    const Block& b = *mesh.blocks()[lb];
    work_->ru[lb].resize(ndim_, b.dims());
    if (boussinesq_) work_->rt[lb].resize(1, b.dims());
  }
}

void IncompressibleModule::apply_bcs(Mesh& mesh, bool predictor) {
  for (auto& bp : mesh.blocks()) {
    Block& b = *bp;
    Array4& u = b.field(uf_id_);
    Array4* temp = boussinesq_ ? &b.field(t_id_) : nullptr;
    // Position of the a-face point of component c at ghosted index (k, j, i).
    auto face_x = [&](int c, int k, int j, int i) {
      const std::array<int, 3> idx{i, j, k};
      std::array<double, 3> x{};
      for (int d = 0; d < ndim_; ++d)
        x[d] = b.lower[d] + (idx[d] - b.ng[d] + (d == c ? 0.0 : 0.5)) * b.dx[d];
      return x;
    };
    // 1. Normal velocity on the boundary faces: wall 0, inflow value, outflow extrapolated
    //    (predictor) or from the continuity of the boundary cell (projected state).
    for (int a = 0; a < ndim_; ++a) {
      for (int s = 0; s < 2; ++s) {
        if (!physical(b, a, s)) continue;
        const IncompressibleFace& f = faces_[a][s];
        const int ib = s ? b.ng[a] + b.n[a] : b.ng[a];
        const std::ptrdiff_t inner = s ? -u.stride(a) : u.stride(a);
        double* ua = u.comp(a);
        for_each_on_plane(b, a, ib, [&](int k, int j, int i) {
          const std::ptrdiff_t q = offset(u, k, j, i);
          switch (f.kind) {
            case WallKind::kInflow:
              ua[q] = boundary_velocity(a, s, a, face_x(a, k, j, i));
              break;
            case WallKind::kOutflow:
              if (predictor) ua[q] = ua[q + inner];
              break;
            default:
              ua[q] = 0.0;
          }
        });
      }
    }
    if (!predictor && any_outflow_) {
      for (int a = 0; a < ndim_; ++a) {
        for (int s = 0; s < 2; ++s) {
          if (!physical(b, a, s) || faces_[a][s].kind != WallKind::kOutflow) continue;
          // The boundary cell's other faces fix its outflow face by mass conservation.
          const int ic = s ? b.ng[a] + b.n[a] - 1 : b.ng[a];
          double* ua = u.comp(a);
          const std::ptrdiff_t sa = u.stride(a);
          for_each_on_plane(b, a, ic, [&](int k, int j, int i) {
            const std::ptrdiff_t q = offset(u, k, j, i);
            if (k >= b.ng[2] + b.n[2] || j >= b.ng[1] + b.n[1] || i >= b.ng[0] + b.n[0]) return;
            if (k < b.ng[2] || j < b.ng[1] || i < b.ng[0]) return;
            double other = 0.0;
            for (int d = 0; d < ndim_; ++d) {
              if (d == a) continue;
              const double* ud = u.comp(d);
              other += (ud[q + u.stride(d)] - ud[q]) / b.dx[d];
            }
            if (s)
              ua[q + sa] = ua[q] - b.dx[a] * other;
            else
              ua[q] = ua[q + sa] + b.dx[a] * other;
          });
        }
      }
    }
    // 2. Tangential velocity and temperature ghosts: Dirichlet by the quadratic extrapolation
    //    g = (8 w - 6 u1 + u2) / 3 through the wall value w (exact for parabolas, so a Poiseuille
    //    profile is a discrete steady state), zero gradient for free slip and outflow.
    for (int a = 0; a < ndim_; ++a) {
      for (int s = 0; s < 2; ++s) {
        if (!physical(b, a, s)) continue;
        const IncompressibleFace& f = faces_[a][s];
        const int ig = s ? b.ng[a] + b.n[a] : b.ng[a] - 1;
        const std::ptrdiff_t in1 = s ? -u.stride(a) : u.stride(a);
        for (int c = 0; c < ndim_; ++c) {
          if (c == a) continue;
          double* uc = u.comp(c);
          const bool dirichlet = f.kind == WallKind::kNoSlip || f.kind == WallKind::kInflow;
          for_each_on_plane(b, a, ig, [&](int k, int j, int i) {
            const std::ptrdiff_t q = offset(u, k, j, i);
            const double u1 = uc[q + in1], u2 = uc[q + 2 * in1];
            if (dirichlet) {
              std::array<double, 3> x = face_x(c, k, j, i);
              x[a] = s ? mesh_params_.upper[a] : mesh_params_.lower[a];
              const double w = boundary_velocity(a, s, c, x);
              uc[q] = (8.0 * w - 6.0 * u1 + u2) / 3.0;
            } else {
              uc[q] = u1;
            }
          });
        }
        if (!temp) continue;
        double* tt = temp->comp(0);
        for_each_on_plane(b, a, ig, [&](int k, int j, int i) {
          const std::ptrdiff_t q = offset(*temp, k, j, i);
          const double t1 = tt[q + in1], t2 = tt[q + 2 * in1];
          switch (f.thermal) {
            case ThermalKind::kFixed:
              tt[q] = (8.0 * f.temperature - 6.0 * t1 + t2) / 3.0;
              break;
            case ThermalKind::kFlux:
              // q_in = -kappa dT/dn_in = -kappa (t1 - g) / dx  =>  g = t1 + dx q_in / kappa.
              tt[q] = t1 + b.dx[a] * f.heat_flux / kappa_;
              break;
            default:
              tt[q] = t1;
          }
        });
      }
    }
  }
}

void IncompressibleModule::project(Mesh& mesh, double phi_scale, double t) {
  LinearSystem& ls = *work_->ls;
  const CellNumbering& num = ls.numbering();
  {
    // Right-hand side -div u* (H phi = -lap phi = -div u*), warm start phi = phi_scale p.
    VecArray rb(ls.rhs()), x(ls.solution());
    for (const auto& bp : mesh.blocks()) {
      const Block& b = *bp;
      const Array4& u = b.field(uf_id_);
      const Array4& p = b.field(p_id_);
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const std::ptrdiff_t q = offset(u, k, j, i);
        double div = 0.0;
        for (int d = 0; d < ndim_; ++d) {
          const double* ud = u.comp(d);
          div += (ud[q + u.stride(d)] - ud[q]) / b.dx[d];
        }
        const auto r = num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row();
        rb[r] = -div;
        x[r] = phi_scale * p.comp(0)[q];
      });
    }
  }
  const double t0 = now_seconds();
  const SolveReport rep = ls.solve();
  pressure_seconds_ += now_seconds() - t0;
  last_iterations_ += rep.iterations;
  last_residual_ = std::max(last_residual_, rep.residual);
  {
    VecArray x(ls.solution());
    for (auto& bp : mesh.blocks()) {
      Block& b = *bp;
      Array4& p = b.field(p_id_);
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        p(0, k, j, i) = x[num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row()];
      });
    }
  }
  fill_halos({p_id_}, t);
  // u = u* - grad phi on every face the projection owns; outflow faces see phi = 0 at the face.
  for (auto& bp : mesh.blocks()) {
    Block& b = *bp;
    Array4& u = b.field(uf_id_);
    Array4& p = b.field(p_id_);
    const double* ph = p.comp(0);
    for (int a = 0; a < ndim_; ++a) {
      double* ua = u.comp(a);
      const std::ptrdiff_t sa = u.stride(a);
      const double ih = 1.0 / b.dx[a];
      for_each_cell(face_box(b, a), [&](int k, int j, int i) {
        const std::ptrdiff_t q = offset(u, k, j, i);
        ua[q] -= (ph[q] - ph[q - sa]) * ih;
      });
      for (int s = 0; s < 2; ++s) {
        if (!physical(b, a, s) || faces_[a][s].kind != WallKind::kOutflow) continue;
        IndexBox box = b.interior();
        const int ic = s ? b.ng[a] + b.n[a] - 1 : b.ng[a];
        box.lo[a] = ic, box.hi[a] = ic + 1;
        for_each_cell(box, [&](int k, int j, int i) {
          const std::ptrdiff_t q = offset(u, k, j, i);
          if (s)
            ua[q + sa] += 2.0 * ph[q] * ih;
          else
            ua[q] -= 2.0 * ph[q] * ih;
        });
      }
    }
    const double inv = 1.0 / phi_scale;
    for_each_cell(b.interior(), [&](int k, int j, int i) { p(0, k, j, i) *= inv; });
  }
}

void IncompressibleModule::refresh_derived(Mesh& mesh) {
  for (auto& bp : mesh.blocks()) {
    Block& b = *bp;
    const Array4& u = b.field(uf_id_);
    Array4& uc = b.field(uc_id_);
    for (int a = 0; a < ndim_; ++a) {
      const double* ua = u.comp(a);
      double* ca = uc.comp(a);
      const std::ptrdiff_t sa = u.stride(a);
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const std::ptrdiff_t q = offset(u, k, j, i);
        ca[q] = 0.5 * (ua[q] + ua[q + sa]);
      });
    }
  }
}

double IncompressibleModule::max_divergence(const Mesh& mesh) const {
  double m = 0.0;
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    const Array4& u = b.field(uf_id_);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const std::ptrdiff_t q = offset(u, k, j, i);
      double div = 0.0;
      for (int d = 0; d < ndim_; ++d) {
        const double* ud = u.comp(d);
        div += (ud[q + u.stride(d)] - ud[q]) / b.dx[d];
      }
      m = std::max(m, std::abs(div));
    });
  }
  return m;
}

void IncompressibleModule::implicit_stage(Mesh& mesh, double t, double dt) {
  const double start = now_seconds();
  ensure(mesh);
  auto& blocks = mesh.blocks();
  std::vector<int> state{uf_id_};
  if (boussinesq_) state.push_back(t_id_);
  for (std::size_t lb = 0; lb < blocks.size(); ++lb) {
    work_->u0[lb] = blocks[lb]->field(uf_id_);
    if (boussinesq_) work_->t0[lb] = blocks[lb]->field(t_id_);
  }
  last_iterations_ = 0;
  last_residual_ = 0.0;
  for (const Stage& st : stages(stages_)) {
    const double ts = t + st.c * dt;
    fill_halos(state, ts);
    apply_bcs(mesh, false);
    for (std::size_t lb = 0; lb < blocks.size(); ++lb) {
      Block& b = *blocks[lb];
      const Array4& u = b.field(uf_id_);
      const Array4* temp = boussinesq_ ? &b.field(t_id_) : nullptr;
      Array4& r = work_->ru[lb];
      for_each_axis(ndim_, [&](auto ax) {
        constexpr int A = decltype(ax)::value;
        momentum_rhs<A>(b, ndim_, u, temp, nu_, force_[A], beta_, boussinesq_ && A == gaxis_, r);
      });
      if (boussinesq_) temperature_rhs(b, ndim_, u, *temp, kappa_, work_->rt[lb]);
      // Stage update on the advanced faces and cells.
      Array4& uu = b.field(uf_id_);
      const Array4& u0 = work_->u0[lb];
      for (int a = 0; a < ndim_; ++a) {
        for_each_cell(face_box(b, a), [&](int k, int j, int i) {
          uu(a, k, j, i) = st.a * u0(a, k, j, i) + st.b * (uu(a, k, j, i) + dt * r(a, k, j, i));
        });
      }
      if (boussinesq_) {
        Array4& tt = b.field(t_id_);
        const Array4& t0 = work_->t0[lb];
        const Array4& rt = work_->rt[lb];
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          tt(0, k, j, i) = st.a * t0(0, k, j, i) + st.b * (tt(0, k, j, i) + dt * rt(0, k, j, i));
        });
      }
    }
    // The projection needs each block's upper faces (owned by the neighbour) and the boundary
    // faces of the predicted velocity.
    fill_halos({uf_id_}, t + dt);
    apply_bcs(mesh, true);
    project(mesh, st.b * dt, t + dt);
  }
  fill_halos(state, t + dt);
  apply_bcs(mesh, false);
  refresh_derived(mesh);
  div_max_ = max_divergence(mesh);
  step_seconds_ += now_seconds() - start;
}

std::vector<HistoryValue> IncompressibleModule::history_values(Mesh& mesh, double /*t*/) {
  std::vector<HistoryValue> out;
  // Kinetic energy of the staggered field: (1/2) sum over stored faces of u_a^2 dV.
  double ke = 0.0;
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    const Array4& u = b.field(uf_id_);
    const double dv = b.cell_volume(ndim_);
    for (int a = 0; a < ndim_; ++a) {
      for_each_cell(b.interior(), [&](int k, int j, int i) {
        const double v = u(a, k, j, i);
        ke += 0.5 * v * v * dv;
      });
    }
  }
  out.push_back({"div_max", div_max_, HistoryReduce::kMax});
  out.push_back({"kinetic_energy", ke, HistoryReduce::kSum});
  out.push_back(
      {"pressure_iterations", static_cast<double>(last_iterations_), HistoryReduce::kMax});
  out.push_back({"pressure_residual", last_residual_, HistoryReduce::kMax});
  if (timing_) {
    out.push_back({"step_seconds", step_seconds_, HistoryReduce::kMax});
    out.push_back({"pressure_seconds", pressure_seconds_, HistoryReduce::kMax});
  }
  if (!boussinesq_ || !(t_hot_ > t_cold_)) return out;
  // Mean Nusselt number over the hot and the cold walls: conductive heat flux into the fluid
  // q = kappa (8 T_w - 9 T_1 + T_2) / (3 dx) (second-order one-sided, the same flux the
  // temperature update uses through its ghost value), in units of kappa (T_hot - T_cold) / H.
  double hot = 0.0, cold = 0.0, a_hot = 0.0, a_cold = 0.0;
  for (int a = 0; a < ndim_; ++a) {
    for (int s = 0; s < 2; ++s) {
      const IncompressibleFace& f = faces_[a][s];
      if (f.periodic || f.thermal != ThermalKind::kFixed) continue;
      const bool is_hot = f.temperature == t_hot_, is_cold = f.temperature == t_cold_;
      double area = 1.0;
      for (int d = 0; d < ndim_; ++d)
        if (d != a) area *= mesh_params_.upper[d] - mesh_params_.lower[d];
      (is_hot ? a_hot : a_cold) += is_hot || is_cold ? area : 0.0;
      const double h = mesh_params_.upper[a] - mesh_params_.lower[a];
      const double scale = h / (t_hot_ - t_cold_);
      for (const auto& bp : mesh.blocks()) {
        const Block& b = *bp;
        if (!physical(b, a, s)) continue;
        const Array4& tt = b.field(t_id_);
        const double da = b.cell_volume(ndim_) / b.dx[a];
        IndexBox box = b.interior();
        const int i1 = s ? b.ng[a] + b.n[a] - 1 : b.ng[a];
        box.lo[a] = i1, box.hi[a] = i1 + 1;
        const std::ptrdiff_t in1 = s ? -tt.stride(a) : tt.stride(a);
        const double* tp = tt.comp(0);
        for_each_cell(box, [&](int k, int j, int i) {
          const std::ptrdiff_t q = offset(tt, k, j, i);
          const double grad = (8.0 * f.temperature - 9.0 * tp[q] + tp[q + in1]) / (3.0 * b.dx[a]);
          if (is_hot) hot += grad * scale * da;
          if (is_cold) cold -= grad * scale * da;
        });
      }
    }
  }
  out.push_back({"nusselt_hot", a_hot > 0 ? hot / a_hot : 0.0, HistoryReduce::kSum});
  out.push_back({"nusselt_cold", a_cold > 0 ? cold / a_cold : 0.0, HistoryReduce::kSum});
  return out;
}

}  // namespace tessera
