// Compressible hydrodynamics: method-of-lines Godunov scheme, one flux kernel for all axes.
//
// Per RK stage and block: (1) conserved -> primitive on the whole ghosted block; (2) for each
// axis, for each x-row pencil of faces: reconstruct the five primitives (velocity rotated so
// the normal component comes first), fall back to first order at faces with an unphysical
// reconstructed state, call the Riemann solver over the pencil, and add the flux difference
// to the right-hand side. All inner loops are unit stride in x.
#include "tessera/physics/hydro.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/numerics/fallback.hpp"
#include "tessera/numerics/primitives.hpp"

namespace tessera {

namespace {

using RiemannFn = void (*)(const IdealGasEos&, int, const PencilBuffer&, const PencilBuffer&,
                           PencilBuffer&);

RiemannFn riemann_function(RiemannKind k) {
  switch (k) {
    case RiemannKind::kHLLE:
      return riemann_hlle;
    case RiemannKind::kExact:
      return riemann_exact;
    default:
      return riemann_hllc;
  }
}

/// Walks the faces normal to `Axis` of the interior box `in` as x-row pencils: calls
/// `faces(base, n)` to fill `f` with the fluxes of one row of n faces starting at linear index
/// `base`, and `diff(cell_base, hi, lo, n, off_hi, off_lo)` to add -(hi - lo)/dx to the n cells
/// of one row. Along x the two faces of a cell are neighbours in one pencil; along y/z the
/// previous row's fluxes are kept in `fprev`. One walk shared by every flux kernel.
template <int Axis, typename Faces, typename Diff>
void walk_face_pencils(const IndexBox& in, int nx, int ny, std::ptrdiff_t s, PencilBuffer& f,
                       PencilBuffer& fprev, Faces&& faces, Diff&& diff) {
  if constexpr (Axis == 0) {
    const int n = in.hi[0] - in.lo[0] + 1;  // faces lo-1/2 .. hi-1/2
    for (int k = in.lo[2]; k < in.hi[2]; ++k) {
      for (int j = in.lo[1]; j < in.hi[1]; ++j) {
        const std::ptrdiff_t base = (static_cast<std::ptrdiff_t>(k) * ny + j) * nx + in.lo[0];
        faces(base, n);
        diff(base, f, f, n - 1, 1, 0);
      }
    }
  } else {
    constexpr int kOuter = Axis == 1 ? 2 : 1;
    const int n = in.hi[0] - in.lo[0];
    for (int o = in.lo[kOuter]; o < in.hi[kOuter]; ++o) {
      for (int m = in.lo[Axis]; m <= in.hi[Axis]; ++m) {
        const int j = Axis == 1 ? m : o, k = Axis == 1 ? o : m;
        const std::ptrdiff_t base = (static_cast<std::ptrdiff_t>(k) * ny + j) * nx + in.lo[0];
        faces(base, n);
        if (m > in.lo[Axis]) diff(base - s, f, fprev, n, 0, 0);
        std::swap(f, fprev);
      }
    }
  }
}

/// Adds -(F[face+1] - F[face]) / dx along `Axis` for all five conserved variables to the
/// right-hand side on the interior of `b` (Toro 2009 eq. 16.4, unsplit). One kernel for
/// every axis: pencils are x-rows of faces, the stencil runs along `Axis` with stride s.
template <int Axis, typename Lim>
double add_axis_divergence(const Block& b, const Array4& w, ReconstructionKind rk, RiemannFn solver,
                           const IdealGasEos& eos, double* const* rdst, PencilBuffer& wl,
                           PencilBuffer& wr, PencilBuffer& f, PencilBuffer& fprev,
                           const UniformGravity* grav) {
  constexpr int kT1 = (Axis + 1) % 3, kT2 = (Axis + 2) % 3;
  // Primitive component (0 rho, 1-3 velocity, 4 p) feeding each pencil variable.
  const double* wsrc[kHydroVars] = {w.comp(0), w.comp(1 + Axis), w.comp(1 + kT1), w.comp(1 + kT2),
                                    w.comp(4)};
  const std::ptrdiff_t s = w.stride(Axis);
  const int nx = w.n(0), ny = w.n(1);
  const IndexBox in = b.interior();
  const double inv_dx = 1.0 / b.dx[Axis];
  double fallbacks = 0.0;

  auto face_pencil = [&](std::ptrdiff_t base, int n) {
    for (int v = 0; v < kHydroVars; ++v) {
      reconstruct_faces<Lim>(rk, wsrc[v] + base, s, n, wl(v), wr(v));
    }
    if (rk != ReconstructionKind::kDonor) {
      fallbacks += fallback_to_first_order(wsrc, base, s, n, kHydroVars, wl, wr);
    }
    solver(eos, n, wl, wr, f);
  };

  walk_face_pencils<Axis>(in, nx, ny, s, f, fprev, face_pencil,
                          [&](std::ptrdiff_t base, const PencilBuffer& hi, const PencilBuffer& lo,
                              int n, std::ptrdiff_t off_hi, std::ptrdiff_t off_lo) {
                            for (int v = 0; v < kHydroVars; ++v) {
                              double* __restrict r = rdst[v] + base;
                              const double* __restrict fh = hi(v) + off_hi;
                              const double* __restrict fl = lo(v) + off_lo;
                              for (int i = 0; i < n; ++i) r[i] -= (fh[i] - fl[i]) * inv_dx;
                            }
                            // Gravity along this axis: its energy source needs the mass fluxes
                            // of both faces, available only here.
                            if (grav) {
                              grav->add_row(n, wsrc[0] + base, lo(0) + off_lo, hi(0) + off_hi,
                                            rdst[1] + base, rdst[4] + base);
                            }
                          });
  return fallbacks;
}

}  // namespace

HydroModule::HydroModule(const Config& cfg, int ndim) : ndim_(ndim) {
  const std::string p = "physics.hydro.";
  eos_.gamma = cfg.get_double(p + "gamma", 5.0 / 3.0, {1.0, 1e300, true});
  const std::string rk = cfg.get_string(p + "reconstruction", "plm", {"plm", "ppm", "donor"});
  recon_ = rk == "donor" ? ReconstructionKind::kDonor
           : rk == "ppm" ? ReconstructionKind::kPPM
                         : ReconstructionKind::kPLM;
  limiter_ =
      limiter_from_string(cfg.get_string(p + "limiter", "mc", {"minmod", "vanleer", "mc", "none"}));
  riemann_ = riemann_from_string(cfg.get_string(p + "riemann", "hllc", {"hllc", "hlle", "exact"}));
  rho_floor_ = cfg.get_double(p + "density_floor", 1e-10, Range::non_negative());
  p_floor_ = cfg.get_double(p + "pressure_floor", 1e-10, Range::non_negative());
  mu_ = cfg.get_double(p + "viscosity", 0.0, Range::non_negative());
  zeta_ = cfg.get_double(p + "bulk_viscosity", 0.0, Range::non_negative());
  kappa_ = cfg.get_double(p + "conductivity", 0.0, Range::non_negative());
  viscous_ = mu_ > 0.0 || zeta_ > 0.0 || kappa_ > 0.0;
  gravity_ = UniformGravity::from_config(cfg, "physics.hydro", ndim);
}

void HydroModule::register_fields(FieldRegistry& reg) {
  FieldSpec rho;
  rho.name = "rho";
  rho.components = {"rho"};
  rho.vector_axis = {-1};
  rho.units = "M L^-3";
  rho.description = "mass density";
  fid_rho_ = reg.add(rho);
  FieldSpec mom;
  mom.name = "mom";
  mom.components = {"mom_x", "mom_y", "mom_z"};
  mom.vector_axis = {0, 1, 2};
  mom.units = "M L^-2 T^-1";
  mom.description = "momentum density rho v";
  fid_mom_ = reg.add(mom);
  FieldSpec en;
  en.name = "energy";
  en.components = {"E"};
  en.vector_axis = {-1};
  en.units = "M L^-1 T^-2";
  en.description = "total energy density p/(gamma-1) + rho v^2/2";
  fid_energy_ = reg.add(en);
}

void HydroModule::set_primitive(Block& b, int k, int j, int i, const HydroPrim& w) const {
  b.field(fid_rho_)(0, k, j, i) = w.rho;
  for (int a = 0; a < 3; ++a) b.field(fid_mom_)(a, k, j, i) = w.rho * w.v[a];
  b.field(fid_energy_)(0, k, j, i) = conserved(fid_energy_, 0, w);
}

double HydroModule::conserved(int fid, int c, const HydroPrim& w) const {
  if (fid == fid_rho_) return w.rho;
  if (fid == fid_mom_) return w.rho * w.v[c];
  return eos_.internal_energy(w.rho, w.p) +
         0.5 * w.rho * (w.v[0] * w.v[0] + w.v[1] * w.v[1] + w.v[2] * w.v[2]);
}

void HydroModule::compute_primitives(const Block& b) {
  const Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  const Array4& e = b.field(fid_energy_);
  if (prim_.dims() != d.dims() || prim_.ncomp() != 5) prim_.resize(5, d.dims());
  double* w[5] = {prim_.comp(0), prim_.comp(1), prim_.comp(2), prim_.comp(3), prim_.comp(4)};
  conserved_to_primitive<false>(d.comp_size(), eos_.gamma - 1.0, d.comp(0), m.comp(0), m.comp(1),
                                m.comp(2), e.comp(0), nullptr, nullptr, nullptr, w);
}

double HydroModule::max_dt(const Block& b) const {
  const Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  const Array4& e = b.field(fid_energy_);
  const IndexBox in = b.interior();
  std::array<double, 3> idx{0.0, 0.0, 0.0};
  for (int a = 0; a < ndim_; ++a) idx[a] = 1.0 / b.dx[a];
  const double g = eos_.gamma, gm1 = g - 1.0;
  double rate = 0.0, inv_rho_max = 0.0;
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      const std::ptrdiff_t row = (static_cast<std::ptrdiff_t>(k) * d.n(1) + j) * d.n(0);
      const double* __restrict rho = d.comp(0) + row;
      const double* __restrict mx = m.comp(0) + row;
      const double* __restrict my = m.comp(1) + row;
      const double* __restrict mz = m.comp(2) + row;
      const double* __restrict en = e.comp(0) + row;
      for (int i = in.lo[0]; i < in.hi[0]; ++i) {
        const double ir = 1.0 / rho[i];
        const double vx = mx[i] * ir, vy = my[i] * ir, vz = mz[i] * ir;
        const double p = gm1 * (en[i] - 0.5 * rho[i] * (vx * vx + vy * vy + vz * vz));
        const double c = std::sqrt(g * p * ir);
        // Unsplit CFL condition: dt sum_a (|v_a| + c)/dx_a <= C (Toro 2009 sec. 16.4).
        const double r =
            (std::abs(vx) + c) * idx[0] + (std::abs(vy) + c) * idx[1] + (std::abs(vz) + c) * idx[2];
        rate = r > rate ? r : rate;
        inv_rho_max = ir > inv_rho_max ? ir : inv_rho_max;
      }
    }
  }
  double dt = rate > 0.0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
  if (viscous_) {
    // Explicit diffusion limit dt <= 1 / (2 D sum_a dx_a^-2) (forward-Euler bound of the
    // centred Laplacian) with D the largest diffusivity: longitudinal viscous (4 mu/3 +
    // zeta)/rho or thermal kappa (gamma - 1)/rho (c_v = 1/(gamma - 1) with T = p/rho).
    const double diff = std::max(4.0 * mu_ / 3.0 + zeta_, kappa_ * gm1) * inv_rho_max;
    double s2 = 0.0;
    for (int a = 0; a < ndim_; ++a) s2 += idx[a] * idx[a];
    if (diff > 0.0) dt = std::min(dt, 0.5 / (diff * s2));
  }
  return dt;
}

template <int Axis>
void HydroModule::add_viscous_divergence(const Block& b, double* const* rdst) {
  // Compressible Navier-Stokes fluxes through the faces normal to Axis (e.g. Toro 2009
  // sec. 1.5): momentum -tau_{a b}, energy -(tau_{a b} v_b + kappa dT/dx_a), with
  // tau = mu (grad v + grad v^T) + (zeta - 2 mu / 3) (div v) I and T = p / rho. Normal
  // derivatives are face differences, transverse ones the mean of the two adjacent cells'
  // central differences: second order, one kernel for every axis (same row walk as the
  // inviscid fluxes).
  const Array4& w = prim_;
  const std::ptrdiff_t s = w.stride(Axis);
  const int nx = w.n(0), ny = w.n(1);
  const IndexBox in = b.interior();
  const double inv_dx = 1.0 / b.dx[Axis];
  const double lam = zeta_ - 2.0 * mu_ / 3.0;
  std::array<double, 3> inv2d{0.0, 0.0, 0.0};
  std::array<std::ptrdiff_t, 3> st{0, 0, 0};
  for (int c = 0; c < ndim_; ++c) {
    inv2d[c] = 0.25 / b.dx[c];
    st[c] = w.stride(c);
  }
  const double* rho = w.comp(0);
  const double* pr = w.comp(4);
  const double* vel[3] = {w.comp(1), w.comp(2), w.comp(3)};
  PencilBuffer& f = flux_;
  PencilBuffer& fprev = flux_prev_;
  // Flux pencil layout here: 0 unused (mass), 1..3 momentum x, y, z, 4 energy.
  auto face_fluxes = [&](std::ptrdiff_t base, int n) {
    double* fm[3] = {f(1), f(2), f(3)};
    double* fe = f(4);
    for (int i = 0; i < n; ++i) {
      const std::ptrdiff_t q = base + i, qm = q - s;
      // Velocity gradient at the face: g[b][c] = d v_b / d x_c.
      double g[3][3] = {{0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}};
      for (int bb = 0; bb < 3; ++bb) {
        const double* v = vel[bb];
        for (int c = 0; c < ndim_; ++c) {
          if (c == Axis) {
            g[bb][c] = (v[q] - v[qm]) * inv_dx;
          } else {
            const std::ptrdiff_t sc = st[c];
            g[bb][c] = (v[q + sc] - v[q - sc] + v[qm + sc] - v[qm - sc]) * inv2d[c];
          }
        }
      }
      const double div = g[0][0] + g[1][1] + g[2][2];
      double work = 0.0;
      for (int bb = 0; bb < 3; ++bb) {
        const double tau = mu_ * (g[bb][Axis] + g[Axis][bb]) + (bb == Axis ? lam * div : 0.0);
        fm[bb][i] = -tau;
        work += tau * 0.5 * (vel[bb][q] + vel[bb][qm]);
      }
      const double dT = (pr[q] / rho[q] - pr[qm] / rho[qm]) * inv_dx;
      fe[i] = -(work + kappa_ * dT);
    }
  };
  auto accumulate = [&](double* const* r, const PencilBuffer& hi, const PencilBuffer& lo, int n,
                        std::ptrdiff_t off_hi, std::ptrdiff_t off_lo) {
    for (int v = 1; v < kHydroVars; ++v) {
      // Momentum comes in grid order here (x, y, z): map back to the pencil order of rdst.
      const int dst = v == 4 ? 4 : 1 + ((v - 1) - Axis + 3) % 3;
      double* __restrict rr = r[dst];
      const double* __restrict fh = hi(v) + off_hi;
      const double* __restrict fl = lo(v) + off_lo;
      for (int i = 0; i < n; ++i) rr[i] -= (fh[i] - fl[i]) * inv_dx;
    }
  };
  walk_face_pencils<Axis>(in, nx, ny, s, f, fprev, face_fluxes,
                          [&](std::ptrdiff_t base, const PencilBuffer& hi, const PencilBuffer& lo,
                              int n, std::ptrdiff_t off_hi, std::ptrdiff_t off_lo) {
                            double* r[5];
                            for (int v = 0; v < 5; ++v) r[v] = rdst[v] + base;
                            accumulate(r, hi, lo, n, off_hi, off_lo);
                          });
}

void HydroModule::add_rhs(const Block& b, double /*t*/, std::vector<Array4>& rhs) {
  compute_primitives(b);
  const int nmax = std::max({b.dims()[0], b.dims()[1], b.dims()[2]}) + 1;
  for (auto* pb : {&wl_, &wr_, &flux_, &flux_prev_}) pb->resize(kHydroVars, nmax);
  const RiemannFn solver = riemann_function(riemann_);
  auto grav = [&](int axis) {
    return gravity_.active() && gravity_.axis == axis ? &gravity_ : nullptr;
  };
  with_limiter(limiter_, [&](auto lim) {
    using Lim = decltype(lim);
    // Right-hand-side destinations in pencil order: mass, normal / transverse momentum, energy.
    auto dest = [&](int axis, int v) -> double* {
      if (v == 0) return rhs[fid_rho_].comp(0);
      if (v == 4) return rhs[fid_energy_].comp(0);
      return rhs[fid_mom_].comp((axis + v - 1) % 3);
    };
    double* r0[5] = {dest(0, 0), dest(0, 1), dest(0, 2), dest(0, 3), dest(0, 4)};
    fallback_count_ += add_axis_divergence<0, Lim>(b, prim_, recon_, solver, eos_, r0, wl_, wr_,
                                                   flux_, flux_prev_, grav(0));
    if (ndim_ > 1) {
      double* r1[5] = {dest(1, 0), dest(1, 1), dest(1, 2), dest(1, 3), dest(1, 4)};
      fallback_count_ += add_axis_divergence<1, Lim>(b, prim_, recon_, solver, eos_, r1, wl_, wr_,
                                                     flux_, flux_prev_, grav(1));
    }
    if (ndim_ > 2) {
      double* r2[5] = {dest(2, 0), dest(2, 1), dest(2, 2), dest(2, 3), dest(2, 4)};
      fallback_count_ += add_axis_divergence<2, Lim>(b, prim_, recon_, solver, eos_, r2, wl_, wr_,
                                                     flux_, flux_prev_, grav(2));
    }
  });
  if (viscous_) {
    auto vdest = [&](int axis, int v) -> double* {
      if (v == 0) return rhs[fid_rho_].comp(0);
      if (v == 4) return rhs[fid_energy_].comp(0);
      return rhs[fid_mom_].comp((axis + v - 1) % 3);
    };
    for (int a = 0; a < ndim_; ++a) {
      double* r[5] = {vdest(a, 0), vdest(a, 1), vdest(a, 2), vdest(a, 3), vdest(a, 4)};
      if (a == 0) add_viscous_divergence<0>(b, r);
      if (a == 1) add_viscous_divergence<1>(b, r);
      if (a == 2) add_viscous_divergence<2>(b, r);
    }
  }
}

void HydroModule::post_stage(Block& b) {
  Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  Array4& e = b.field(fid_energy_);
  const IndexBox in = b.interior();
  const double gm1 = eos_.gamma - 1.0, rho_floor = rho_floor_, p_floor = p_floor_;
  double nr = 0.0, np = 0.0;
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      const std::ptrdiff_t row = (static_cast<std::ptrdiff_t>(k) * d.n(1) + j) * d.n(0);
      double* __restrict rho = d.comp(0) + row;
      const double* __restrict mx = m.comp(0) + row;
      const double* __restrict my = m.comp(1) + row;
      const double* __restrict mz = m.comp(2) + row;
      double* __restrict en = e.comp(0) + row;
      // Momentum is kept (conservative); E = p_floor/(gamma - 1) + kinetic energy.
      apply_floors<false>(in.hi[0] - in.lo[0], gm1, rho_floor, p_floor, rho + in.lo[0],
                          mx + in.lo[0], my + in.lo[0], mz + in.lo[0], en + in.lo[0], nullptr,
                          nullptr, nullptr, nr, np);
    }
  }
  floor_rho_count_ += nr;
  floor_p_count_ += np;
}

std::string HydroModule::check_state(const Block& b) const {
  const Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  const Array4& e = b.field(fid_energy_);
  const IndexBox in = b.interior();
  const double gm1 = eos_.gamma - 1.0;
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      for (int i = in.lo[0]; i < in.hi[0]; ++i) {
        const double r = d(0, k, j, i);
        const double mx = m(0, k, j, i), my = m(1, k, j, i), mz = m(2, k, j, i);
        const double p = gm1 * (e(0, k, j, i) - 0.5 * (mx * mx + my * my + mz * mz) / r);
        const char* what = nullptr;
        double value = 0.0;
        if (!(r > 0.0)) {
          what = "density";
          value = r;
        } else if (!(p > 0.0)) {
          what = "pressure";
          value = p;
        }
        if (what) {
          return fmt::format(
              "hydro: {} = {:.6g} at cell ({}, {}, {}), position ({:.6g}, {:.6g}, {:.6g}); the "
              "floors (density_floor = {:g}, pressure_floor = {:g}) cannot fix a non-positive {}",
              what, value, i - b.ng[0], j - b.ng[1], k - b.ng[2], b.center(0, i), b.center(1, j),
              b.center(2, k), rho_floor_, p_floor_, what);
        }
      }
    }
  }
  return "";
}

std::vector<HistoryValue> HydroModule::history_values(Mesh& mesh, double /*t*/) {
  std::vector<HistoryValue> out{{"hydro_floor_rho", floor_rho_count_, HistoryReduce::kSum},
                                {"hydro_floor_p", floor_p_count_, HistoryReduce::kSum},
                                {"hydro_fallback", fallback_count_, HistoryReduce::kSum}};
  append_gravity_history(mesh, "hydro", out);  // E + rho Phi: conserved in a closed box
  return out;
}

}  // namespace tessera
