// Ideal MHD with constrained transport: method-of-lines Godunov scheme for the cell-centred
// variables and Gardiner & Stone's (2005) upwind ("CT-contact") edge EMFs for the face field.
//
// Per RK stage and block: (1) conserved + faces -> primitives with the cell-centred field on
// the ghosted block; (2) for each used axis, face fluxes on x-row pencils (reconstruct the
// seven primitives with the velocity and field rotated to the face, B_n = face value, first-
// order fallback, HLLD/HLLE) over the interior faces plus one row of faces beyond the block in
// each transverse direction, which the edge EMFs need; (3) flux divergence into rho, mom, E;
// (4) cell-centre EMFs -v x B, edge EMFs, and dB/dt = -curl E on the interior faces. All inner
// loops run over contiguous x-rows.
#include "tessera/physics/mhd.hpp"

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

using MhdRiemannFn = void (*)(const IdealGasEos&, int, const double*, const PencilBuffer&,
                              const PencilBuffer&, double* const*);

/// Linear index of (k, j, i) in an array with x extent nx and y extent ny.
inline std::ptrdiff_t lin(int k, int j, int i, int nx, int ny) {
  return (static_cast<std::ptrdiff_t>(k) * ny + j) * nx + i;
}

/// Upwind weight of the "lower" cell from the sign of a face mass flux (Gardiner & Stone 2005
/// eq. 50): 1 when the flow goes up (the lower cell is upwind), 0 when it goes down, 1/2 at rest.
inline double upwind_lower(double mass_flux) {
  return mass_flux > 0.0 ? 1.0 : (mass_flux < 0.0 ? 0.0 : 0.5);
}

}  // namespace

MhdModule::MhdModule(const Config& cfg, int ndim) : ndim_(ndim) {
  const std::string p = "physics.mhd.";
  eos_.gamma = cfg.get_double(p + "gamma", 5.0 / 3.0, {1.0, 1e300, true});
  recon_ = cfg.get_string(p + "reconstruction", "plm", {"plm", "donor"}) == "donor"
               ? ReconstructionKind::kDonor
               : ReconstructionKind::kPLM;
  limiter_ =
      limiter_from_string(cfg.get_string(p + "limiter", "mc", {"minmod", "vanleer", "mc", "none"}));
  riemann_ = mhd_riemann_from_string(cfg.get_string(p + "riemann", "hlld", {"hlld", "hlle"}));
  rho_floor_ = cfg.get_double(p + "density_floor", 1e-10, Range::non_negative());
  p_floor_ = cfg.get_double(p + "pressure_floor", 1e-10, Range::non_negative());
  eta_ = cfg.get_double(p + "resistivity", 0.0, Range::non_negative());
  gravity_ = UniformGravity::from_config(cfg, "physics.mhd", ndim);
  for (int a = 0; a < ndim; ++a) {
    for (int side = 0; side < 2; ++side) {
      const std::string key = fmt::format("boundary.x{}_{}", a + 1, side ? "upper" : "lower");
      reflecting_[a][side] = cfg.has(key) && cfg.get_string(key, "periodic") == "reflecting";
    }
  }
  wall_ = cfg.get_string(p + "wall_field", "conducting", {"conducting", "normal"}) == "normal"
              ? MhdWallField::kNormal
              : MhdWallField::kConducting;
}

void MhdModule::register_fields(FieldRegistry& reg) {
  auto add = [&](const char* name, std::vector<std::string> comps, std::vector<int> axes,
                 const char* units, const char* what, bool evolved) {
    FieldSpec f;
    f.name = name;
    f.components = std::move(comps);
    f.vector_axis = std::move(axes);
    f.units = units;
    f.description = what;
    f.evolved = evolved;
    f.conserved = evolved;
    return reg.add(f);
  };
  fid_rho_ = add("rho", {"rho"}, {-1}, "M L^-3", "mass density", true);
  fid_mom_ = add("mom", {"mom_x", "mom_y", "mom_z"}, {0, 1, 2}, "M L^-2 T^-1",
                 "momentum density rho v", true);
  fid_energy_ = add("energy", {"E"}, {-1}, "M L^-1 T^-2",
                    "total energy density p/(gamma-1) + rho v^2/2 + B^2/2", true);
  {
    FieldSpec f;
    f.name = "bface";
    f.components = {"bf_x", "bf_y", "bf_z"};
    f.vector_axis = {0, 1, 2};
    f.units = "M^1/2 L^-1/2 T^-1";
    f.description = "face-centred magnetic field: component a on the lower a-face of the cell";
    // The generic mirror treats components as cell values; the normal component lives on
    // faces, so its mirror image is another face (and the wall face its own image).
    f.reflecting_fill = [this](Block& b, int axis, int side) { fill_wall(b, axis, side); };
    fid_bface_ = reg.add(f);
  }
  if (wall_ == MhdWallField::kNormal) {
    FieldSpec f;
    for (int a = 0; a < ndim_; ++a) {
      if (!reflecting_[a][1]) continue;
      upper_comp_[a] = static_cast<int>(f.components.size());
      f.components.push_back(std::string("bfu_") + "xyz"[a]);
      f.vector_axis.push_back(-1);  // its ghost values are never used
    }
    if (!f.components.empty()) {
      f.name = "bface_upper_wall";
      f.units = "M^1/2 L^-1/2 T^-1";
      f.description =
          "B_a on the upper a-face of the last cell below an upper reflecting wall (CT-evolved; "
          "copied into the first ghost of bface by the ghost fill); zero elsewhere";
      f.conserved = false;
      f.output = false;
      // Transverse walls: B_a is tangential there, odd under the "normal" rule (the corner
      // cells' wall faces need it; beyond its own wall the value is never used).
      f.reflecting_fill = [this](Block& b, int axis, int side) {
        Array4& u = b.field(fid_upper_wall_);
        const int ng = b.ng[axis], n = b.n[axis];
        const int w = side == 0 ? ng : n + ng;
        IndexBox ghosts = b.all();
        ghosts.lo[axis] = side == 0 ? 0 : w;
        ghosts.hi[axis] = side == 0 ? ng : n + 2 * ng;
        for (int a = 0; a < 3; ++a) {
          if (upper_comp_[a] < 0) continue;
          const int c = upper_comp_[a];
          const double sign = a == axis ? 1.0 : -1.0;
          for_each_cell(ghosts, [&](int k, int j, int i) {
            std::array<int, 3> src{i, j, k};
            src[axis] = 2 * w - 1 - src[axis];
            u(c, k, j, i) = sign * u(c, src[2], src[1], src[0]);
          });
        }
      };
      fid_upper_wall_ = reg.add(f);
    }
  }
  fid_bcc_ = add("bcc", {"bx", "by", "bz"}, {0, 1, 2}, "M^1/2 L^-1/2 T^-1",
                 "cell-centred magnetic field (mean of the two faces)", false);
}

std::array<double, 3> MhdModule::cell_field(const Block& b, int k, int j, int i) const {
  const Array4& f = b.field(fid_bface_);
  std::array<double, 3> out{};
  for (int a = 0; a < 3; ++a) {
    const double lo = f(a, k, j, i);
    out[a] = a >= ndim_ ? lo : 0.5 * (lo + f(a, k + (a == 2), j + (a == 1), i + (a == 0)));
  }
  return out;
}

void MhdModule::set_primitive(Block& b, int k, int j, int i, const MhdPrim& w) const {
  b.field(fid_rho_)(0, k, j, i) = w.rho;
  double v2 = 0.0, b2 = 0.0;
  for (int a = 0; a < 3; ++a) {
    b.field(fid_mom_)(a, k, j, i) = w.rho * w.v[a];
    v2 += w.v[a] * w.v[a];
    b2 += w.b[a] * w.b[a];
  }
  b.field(fid_energy_)(0, k, j, i) = eos_.internal_energy(w.rho, w.p) + 0.5 * w.rho * v2 + 0.5 * b2;
}

void MhdModule::set_face_field(Block& b, const EdgePotential& potential,
                               const FaceField& direct) const {
  Array4& f = b.field(fid_bface_);
  const auto d = b.dims();
  for (int k = 0; k < d[2]; ++k) {
    for (int j = 0; j < d[1]; ++j) {
      for (int i = 0; i < d[0]; ++i) {
        const std::array<int, 3> idx{i, j, k};
        // Lower corner and centre of the cell.
        std::array<double, 3> lo{}, ce{};
        for (int a = 0; a < 3; ++a) {
          lo[a] = b.lower[a] + (idx[a] - b.ng[a]) * b.dx[a];
          ce[a] = b.center(a, idx[a]);
        }
        for (int a = 0; a < 3; ++a) {
          // Face normal to a: at the lower a-corner along a (cell centre along an unused a).
          std::array<double, 3> x = ce;
          if (a < ndim_) x[a] = lo[a];
          double v = direct ? direct(a, x) : 0.0;
          if (potential) {
            // Stokes over the face: B_a = (A_c(b+) - A_c(b-)) / db - (A_b(c+) - A_b(c-)) / dc,
            // with b = a+1, c = a+2 (cyclic) and the edge line averages of A; terms along
            // unused axes vanish (nothing varies there).
            // The two terms: derivative along t of A_u, sign +1 for (t, u) = (b, c), -1 for
            // (c, b).
            for (int term = 0; term < 2; ++term) {
              const int t = (a + 1 + term) % 3, u = (a + 2 - term) % 3;
              if (t >= ndim_) continue;
              std::array<double, 3> e = x;
              e[t] = lo[t];
              const double am = potential(u, e, b.dx[u]);
              e[t] = lo[t] + b.dx[t];
              const double ap = potential(u, e, b.dx[u]);
              v += (term == 0 ? 1.0 : -1.0) * (ap - am) / b.dx[t];
            }
          }
          f(a, k, j, i) = v;
        }
      }
    }
  }
  store_wall_faces(b);
}

bool MhdModule::at_boundary(const Block& b, int axis, int side) {
  std::array<int, 3> o{0, 0, 0};
  o[axis] = side ? 1 : -1;
  return b.neighbor[Block::dir_index(o[0], o[1], o[2])] < 0;
}

void MhdModule::store_wall_faces(Block& b) const {
  for (int a = 0; a < ndim_; ++a) {
    if (upper_comp_[a] < 0 || !at_boundary(b, a, 1)) continue;
    const Array4& f = b.field(fid_bface_);
    Array4& u = b.field(fid_upper_wall_);
    IndexBox last = b.all();
    last.lo[a] = b.ng[a] + b.n[a] - 1;
    last.hi[a] = last.lo[a] + 1;
    for_each_cell(last, [&](int k, int j, int i) {
      u(upper_comp_[a], k, j, i) = f(a, k + (a == 2), j + (a == 1), i + (a == 0));
    });
  }
}

void MhdModule::compute_primitives(const Block& b) {
  const Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  const Array4& e = b.field(fid_energy_);
  const Array4& bf = b.field(fid_bface_);
  if (prim_.dims() != d.dims() || prim_.ncomp() != 8) prim_.resize(8, d.dims());
  const std::size_t n = d.comp_size();
  // Cell-centred field: mean of the lower and upper faces along used axes. The last layer of
  // cells along a used axis has no upper face in the array: it takes its lower face (those
  // cells are outside every stencil of the 3-ghost scheme).
  for (int a = 0; a < 3; ++a) {
    const double* __restrict f = bf.comp(a);
    double* __restrict out = prim_.comp(5 + a);
    if (a >= ndim_) {
      std::copy(f, f + n, out);
      continue;
    }
    const std::size_t s = static_cast<std::size_t>(bf.stride(a));
    for (std::size_t q = 0; q + s < n; ++q) out[q] = 0.5 * (f[q] + f[q + s]);
    for (std::size_t q = n - s; q < n; ++q) out[q] = f[q];
  }
  double* w[5] = {prim_.comp(0), prim_.comp(1), prim_.comp(2), prim_.comp(3), prim_.comp(4)};
  conserved_to_primitive<true>(n, eos_.gamma - 1.0, d.comp(0), m.comp(0), m.comp(1), m.comp(2),
                               e.comp(0), prim_.comp(5), prim_.comp(6), prim_.comp(7), w);
}

template <int Axis, typename Lim>
void MhdModule::face_fluxes(const Block& b) {
  constexpr int kT1 = (Axis + 1) % 3, kT2 = (Axis + 2) % 3;
  const Array4& w = prim_;
  // Primitive component feeding each pencil variable (MhdVar order).
  const double* wsrc[kMhdVars] = {w.comp(0), w.comp(1 + Axis), w.comp(1 + kT1), w.comp(1 + kT2),
                                  w.comp(4), w.comp(5 + kT1),  w.comp(5 + kT2)};
  const double* bn = b.field(fid_bface_).comp(Axis);
  const std::ptrdiff_t s = w.stride(Axis);
  const int nx = w.n(0), ny = w.n(1);
  const IndexBox in = b.interior();
  // Faces: along Axis the n+1 faces of the interior; along each used transverse axis one more
  // row on both sides (the edge EMFs at the block's rim use them).
  IndexBox r = in;
  for (int a = 0; a < ndim_; ++a) {
    if (a == Axis) {
      r.hi[a] = in.hi[a] + 1;
    } else {
      r.lo[a] = in.lo[a] - 1;
      r.hi[a] = in.hi[a] + 1;
    }
  }
  Array4& fx = fx_[Axis];
  if (fx.dims() != w.dims() || fx.ncomp() != kMhdVars) fx.resize(kMhdVars, w.dims());
  const int n = r.hi[0] - r.lo[0];
  const MhdRiemannFn solver = riemann_ == MhdRiemannKind::kHLLE
                                  ? static_cast<MhdRiemannFn>(riemann_mhd_hlle)
                                  : static_cast<MhdRiemannFn>(riemann_mhd_hlld);
  double fallbacks = 0.0;
  for (int k = r.lo[2]; k < r.hi[2]; ++k) {
    for (int j = r.lo[1]; j < r.hi[1]; ++j) {
      const std::ptrdiff_t base = lin(k, j, r.lo[0], nx, ny);
      for (int v = 0; v < kMhdVars; ++v) {
        reconstruct_faces<Lim>(recon_, wsrc[v] + base, s, n, wl_(v), wr_(v));
      }
      if (recon_ != ReconstructionKind::kDonor) {
        fallbacks += fallback_to_first_order(wsrc, base, s, n, kMhdVars, wl_, wr_);
      }
      // Fluxes straight into this row of the face-flux arrays (CT needs them all).
      double* out[kMhdVars];
      for (int v = 0; v < kMhdVars; ++v) out[v] = fx.comp(v) + base;
      solver(eos_, n, bn + base, wl_, wr_, out);
    }
  }
  fallback_count_ += fallbacks;
}

void MhdModule::add_flux_divergence(const Block& b, std::vector<Array4>& rhs) const {
  const IndexBox in = b.interior();
  const int nx = prim_.n(0), ny = prim_.n(1);
  for (int a = 0; a < ndim_; ++a) {
    const Array4& fx = fx_[a];
    const std::ptrdiff_t s = fx.stride(a);
    const double inv_dx = 1.0 / b.dx[a];
    // Pencil variable -> conserved destination: mass, normal / transverse momentum, energy.
    double* dst[5] = {rhs[fid_rho_].comp(0), rhs[fid_mom_].comp(a), rhs[fid_mom_].comp((a + 1) % 3),
                      rhs[fid_mom_].comp((a + 2) % 3), rhs[fid_energy_].comp(0)};
    for (int k = in.lo[2]; k < in.hi[2]; ++k) {
      for (int j = in.lo[1]; j < in.hi[1]; ++j) {
        const std::ptrdiff_t base = lin(k, j, in.lo[0], nx, ny);
        const int n = in.hi[0] - in.lo[0];
        for (int v = 0; v < 5; ++v) {
          double* __restrict r = dst[v] + base;
          const double* __restrict f = fx.comp(v) + base;
          for (int i = 0; i < n; ++i) r[i] -= (f[i + s] - f[i]) * inv_dx;
        }
        // Gravity along this axis: momentum -rho g, energy from the two faces' mass fluxes.
        if (gravity_.active() && gravity_.axis == a) {
          const double* mass = fx.comp(0) + base;
          gravity_.add_row(n, prim_.comp(0) + base, mass, mass + s, dst[1] + base, dst[4] + base);
        }
      }
    }
  }
}

void MhdModule::add_ct_update(const Block& b, std::vector<Array4>& rhs) {
  const Array4& w = prim_;
  const int nx = w.n(0), ny = w.n(1);
  const std::size_t ncell = w.comp_size();
  if (ecc_.dims() != w.dims()) {
    ecc_.resize(3, w.dims());
    edge_.resize(3, w.dims());
  }
  // Cell-centre EMF E = -v x B (the reference value of Gardiner & Stone 2005 eq. 42).
  for (int c = 0; c < 3; ++c) {
    const int a = (c + 1) % 3, bb = (c + 2) % 3;
    const double* __restrict va = w.comp(1 + a);
    const double* __restrict vb = w.comp(1 + bb);
    const double* __restrict ba = w.comp(5 + a);
    const double* __restrict bbv = w.comp(5 + bb);
    double* __restrict e = ecc_.comp(c);
    for (std::size_t q = 0; q < ncell; ++q) e[q] = vb[q] * ba[q] - va[q] * bbv[q];
  }
  const IndexBox in = b.interior();
  // Edge EMFs. E_c lives on the edges parallel to c; index (k, j, i) is the edge at the lower
  // corner of the cell in the (a, b) = (c+1, c+2) plane. From the a-face fluxes,
  // E_c = -F_a(B_b) (pencil variable kBt1 of axis a); from the b-faces E_c = +F_b(B_a)
  // (variable kBt2 of axis b).
  for (int c = 0; c < 3; ++c) {
    const int a = (c + 1) % 3, bb = (c + 2) % 3;
    const bool ua = a < ndim_, ub = bb < ndim_;
    if (!ua && !ub) continue;  // 1D: E_x never enters (B_x is constant)
    IndexBox r = in;
    if (ua) r.hi[a] = in.hi[a] + 1;
    if (ub) r.hi[bb] = in.hi[bb] + 1;
    double* __restrict ed = edge_.comp(c);
    const int n = r.hi[0] - r.lo[0];
    if (ua && ub) {
      const std::ptrdiff_t sa = w.stride(a), sb = w.stride(bb);
      const double* __restrict fa = fx_[a].comp(idx(MhdVar::kBt1));   // -E_c on a-faces
      const double* __restrict fb = fx_[bb].comp(idx(MhdVar::kBt2));  // +E_c on b-faces
      const double* __restrict ma = fx_[a].comp(0);
      const double* __restrict mb = fx_[bb].comp(0);
      const double* __restrict ec = ecc_.comp(c);
      for (int k = r.lo[2]; k < r.hi[2]; ++k) {
        for (int j = r.lo[1]; j < r.hi[1]; ++j) {
          const std::ptrdiff_t base = lin(k, j, r.lo[0], nx, ny);
          for (int i = 0; i < n; ++i) {
            const std::ptrdiff_t q = base + i;
            const double ea0 = -fa[q], ea1 = -fa[q - sb];  // a-faces at b and b-1
            const double eb0 = fb[q], eb1 = fb[q - sa];    // b-faces at a and a-1
            // Gardiner & Stone 2005 eqs. 41 and 50: extrapolate each face EMF to the edge
            // with the gradient (E_cell - E_face) / (dx/2) taken from the upwind side of the
            // contact (sign of the mass flux through the face).
            const double w1 = upwind_lower(ma[q]), w2 = upwind_lower(ma[q - sb]);
            const double w3 = upwind_lower(mb[q]), w4 = upwind_lower(mb[q - sa]);
            // d/db: above the edge (from a-face at b) and below (a-face at b-1).
            const double t1 = w1 * (ec[q - sa] - fb[q - sa]) + (1.0 - w1) * (ec[q] - fb[q]);
            const double t2 =
                w2 * (fb[q - sa] - ec[q - sa - sb]) + (1.0 - w2) * (fb[q] - ec[q - sb]);
            // d/da: right of the edge (from b-face at a) and left (b-face at a-1).
            const double t3 = w3 * (ec[q - sb] - ea1) + (1.0 - w3) * (ec[q] - ea0);
            const double t4 = w4 * (ea1 - ec[q - sa - sb]) + (1.0 - w4) * (ea0 - ec[q - sa]);
            ed[q] = 0.25 * (ea0 + ea1 + eb0 + eb1) + 0.25 * (t2 - t1 + t4 - t3);
          }
        }
      }
    } else {
      // One used axis in the edge's plane: the edge EMF is that face's Godunov EMF.
      const double* __restrict f =
          ua ? fx_[a].comp(idx(MhdVar::kBt1)) : fx_[bb].comp(idx(MhdVar::kBt2));
      const double sign = ua ? -1.0 : 1.0;
      for (int k = r.lo[2]; k < r.hi[2]; ++k) {
        for (int j = r.lo[1]; j < r.hi[1]; ++j) {
          const std::ptrdiff_t base = lin(k, j, r.lo[0], nx, ny);
          for (int i = 0; i < n; ++i) ed[base + i] = sign * f[base + i];
        }
      }
    }
  }
  if (eta_ > 0.0) add_resistive_terms(b, rhs);
  // dB_a/dt = -[(E_c(b+1) - E_c(b)) / db - (E_b(c+1) - E_b(c)) / dc] on the interior faces,
  // b = a+1, c = a+2; differences along unused axes vanish.
  for (int a = 0; a < 3; ++a) {
    const int bb = (a + 1) % 3, cc = (a + 2) % 3;
    double* dst = rhs[fid_bface_].comp(a);
    const double* __restrict ec = edge_.comp(cc);
    const double* __restrict eb = edge_.comp(bb);
    const bool ub = bb < ndim_, uc = cc < ndim_;
    const std::ptrdiff_t sb = ub ? w.stride(bb) : 0, sc = uc ? w.stride(cc) : 0;
    const double ib = ub ? 1.0 / b.dx[bb] : 0.0, ic = uc ? 1.0 / b.dx[cc] : 0.0;
    const int n = in.hi[0] - in.lo[0];
    for (int k = in.lo[2]; k < in.hi[2]; ++k) {
      for (int j = in.lo[1]; j < in.hi[1]; ++j) {
        const std::ptrdiff_t base = lin(k, j, in.lo[0], nx, ny);
        double* __restrict r = dst + base;
        const double* __restrict c0 = ec + base;
        const double* __restrict b0 = eb + base;
        for (int i = 0; i < n; ++i) {
          r[i] -= (c0[i + sb] - c0[i]) * ib - (b0[i + sc] - b0[i]) * ic;
        }
      }
    }
    // The same update of the upper wall face (a "normal" wall), stored at the last cell.
    if (a < ndim_ && upper_comp_[a] >= 0 && at_boundary(b, a, 1)) {
      const std::ptrdiff_t sa = w.stride(a);
      double* up = rhs[fid_upper_wall_].comp(upper_comp_[a]);
      IndexBox last = in;
      last.lo[a] = in.hi[a] - 1;
      last.hi[a] = in.hi[a];
      for_each_cell(last, [&](int k, int j, int i) {
        const std::ptrdiff_t q = lin(k, j, i, nx, ny) + sa;  // the wall face
        up[q - sa] -= (ec[q + sb] - ec[q]) * ib - (eb[q + sc] - eb[q]) * ic;
      });
    }
  }
}

void MhdModule::add_resistive_terms(const Block& b, std::vector<Array4>& rhs) {
  // Ohmic term: E += eta J on the edges, J_c = dB_b/da - dB_a/db from the four faces around
  // the edge ((a, b) = (c+1, c+2); second-order central differences on the staggered grid).
  const Array4& w = prim_;
  const Array4& bf = b.field(fid_bface_);
  const int nx = w.n(0), ny = w.n(1);
  const IndexBox in = b.interior();
  if (ej_.dims() != w.dims()) ej_.resize(3, w.dims());
  for (int c = 0; c < 3; ++c) {
    const int a = (c + 1) % 3, bb = (c + 2) % 3;
    const bool ua = a < ndim_, ub = bb < ndim_;
    if (!ua && !ub) continue;  // stays zero (1D E_x)
    IndexBox r = in;
    if (ua) r.hi[a] = in.hi[a] + 1;
    if (ub) r.hi[bb] = in.hi[bb] + 1;
    const double* __restrict fa = bf.comp(a);
    const double* __restrict fb = bf.comp(bb);
    const std::ptrdiff_t sa = ua ? w.stride(a) : 0, sb = ub ? w.stride(bb) : 0;
    const double ia = ua ? eta_ / b.dx[a] : 0.0, ib = ub ? eta_ / b.dx[bb] : 0.0;
    double* __restrict ej = ej_.comp(c);
    double* __restrict ed = edge_.comp(c);
    const int n = r.hi[0] - r.lo[0];
    for (int k = r.lo[2]; k < r.hi[2]; ++k) {
      for (int j = r.lo[1]; j < r.hi[1]; ++j) {
        const std::ptrdiff_t base = lin(k, j, r.lo[0], nx, ny);
        for (int i = 0; i < n; ++i) {
          const std::ptrdiff_t q = base + i;
          ej[q] = ia * (fb[q] - fb[q - sa]) - ib * (fa[q] - fa[q - sb]);
          ed[q] += ej[q];
        }
      }
    }
  }
  // Resistive Poynting flux S = (eta J) x B through each face, in the total energy: on the
  // a-face S_a = E_b B_c - E_c B_b (b = a+1, c = a+2) with each eta J component the mean of
  // its two edges on the face and B the mean of the two cells' centred values.
  double* en = rhs[fid_energy_].comp(0);
  for (int a = 0; a < ndim_; ++a) {
    const int bb = (a + 1) % 3, cc = (a + 2) % 3;
    const std::ptrdiff_t sa = w.stride(a);
    const std::ptrdiff_t sb = bb < ndim_ ? w.stride(bb) : 0, sc = cc < ndim_ ? w.stride(cc) : 0;
    const double* __restrict jb = ej_.comp(bb);
    const double* __restrict jc = ej_.comp(cc);
    const double* __restrict bcb = w.comp(5 + bb);
    const double* __restrict bcc = w.comp(5 + cc);
    const double inv_dx = 1.0 / b.dx[a];
    auto flux = [&](std::ptrdiff_t q) {
      const double eb = 0.5 * (jb[q] + jb[q + sc]), ec = 0.5 * (jc[q] + jc[q + sb]);
      const double fb = 0.5 * (bcb[q] + bcb[q - sa]), fc = 0.5 * (bcc[q] + bcc[q - sa]);
      return eb * fc - ec * fb;
    };
    for_each_cell(in, [&](int k, int j, int i) {
      const std::ptrdiff_t q = lin(k, j, i, nx, ny);
      en[q] -= (flux(q + sa) - flux(q)) * inv_dx;
    });
  }
}

void MhdModule::add_rhs(const Block& b, double /*t*/, std::vector<Array4>& rhs) {
  compute_primitives(b);
  const int nmax = std::max({b.dims()[0], b.dims()[1], b.dims()[2]}) + 1;
  for (auto* pb : {&wl_, &wr_}) pb->resize(kMhdVars, nmax);
  with_limiter(limiter_, [&](auto lim) {
    using Lim = decltype(lim);
    face_fluxes<0, Lim>(b);
    if (ndim_ > 1) face_fluxes<1, Lim>(b);
    if (ndim_ > 2) face_fluxes<2, Lim>(b);
  });
  close_walls(b);
  add_flux_divergence(b, rhs);
  add_ct_update(b, rhs);
}

void MhdModule::close_walls(const Block& b) {
  const IndexBox in = b.interior();
  for (int a = 0; a < ndim_; ++a) {
    for (int side = 0; side < 2; ++side) {
      if (!reflecting_[a][side] || !at_boundary(b, a, side)) continue;
      // The wall faces, over the same transverse range as face_fluxes (one row beyond).
      IndexBox r = in;
      for (int t = 0; t < ndim_; ++t) {
        if (t != a) --r.lo[t], ++r.hi[t];
      }
      r.lo[a] = side ? in.hi[a] : in.lo[a];
      r.hi[a] = r.lo[a] + 1;
      // Fluxes of the quantities that are even under the mirror (odd fluxes): rho, m_t, E, and
      // B_t where B_t is even (conducting). m_n's flux (the wall's total pressure) stays, and
      // so does B_t's on a "normal" wall (E_t there drives B_n by CT).
      constexpr MhdVar kZero[6] = {MhdVar::kRho, MhdVar::kVt1, MhdVar::kVt2,
                                   MhdVar::kP,   MhdVar::kBt1, MhdVar::kBt2};
      const int nzero = wall_ == MhdWallField::kConducting ? 6 : 4;
      Array4& fx = fx_[a];
      for (int z = 0; z < nzero; ++z) {
        for_each_cell(r, [&](int k, int j, int i) { fx(idx(kZero[z]), k, j, i) = 0.0; });
      }
    }
  }
}

void MhdModule::interior_field(const Block& b, Array4& out) const {
  const Array4& bf = b.field(fid_bface_);
  if (out.dims() != bf.dims() || out.ncomp() != 3) out.resize(3, bf.dims());
  const IndexBox in = b.interior();
  for_each_cell(in, [&](int k, int j, int i) {
    const std::array<int, 3> idx{i, j, k};
    for (int a = 0; a < 3; ++a) {
      const double lo = bf(a, k, j, i);
      if (a >= ndim_ || idx[a] == in.hi[a] - 1) {
        out(a, k, j, i) = lo;
      } else {
        out(a, k, j, i) = 0.5 * (lo + bf(a, k + (a == 2), j + (a == 1), i + (a == 0)));
      }
    }
  });
}

double MhdModule::max_dt(const Block& b) const {
  const Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  const Array4& e = b.field(fid_energy_);
  interior_field(b, bint_);
  const IndexBox in = b.interior();
  std::array<double, 3> idx{0.0, 0.0, 0.0};
  for (int a = 0; a < ndim_; ++a) idx[a] = 1.0 / b.dx[a];
  const double g = eos_.gamma, gm1 = g - 1.0;
  double rate = 0.0;
  for_each_cell(in, [&](int k, int j, int i) {
    const double r = d(0, k, j, i), ir = 1.0 / r;
    const std::array<double, 3> v{m(0, k, j, i) * ir, m(1, k, j, i) * ir, m(2, k, j, i) * ir};
    const std::array<double, 3> bc{bint_(0, k, j, i), bint_(1, k, j, i), bint_(2, k, j, i)};
    const double b2 = bc[0] * bc[0] + bc[1] * bc[1] + bc[2] * bc[2];
    const double p = std::max(
        gm1 * (e(0, k, j, i) - 0.5 * r * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) - 0.5 * b2),
        p_floor_);
    // An extra pressure-like term enters as gamma p_eff / rho = a^2 + extra.
    const double pe = extra_c2_ ? p + extra_c2_(b, k, j, i) * r / g : p;
    double s = 0.0;
    for (int a = 0; a < ndim_; ++a) {
      s += (std::abs(v[a]) + std::sqrt(fast_speed2(g, r, pe, bc[a], b2))) * idx[a];
    }
    rate = std::max(rate, s);
  });
  double dt = rate > 0.0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
  if (eta_ > 0.0) {
    // Forward-Euler bound of the explicit diffusion of B: dt <= 1 / (2 eta sum_a dx_a^-2).
    double s2 = 0.0;
    for (int a = 0; a < ndim_; ++a) s2 += idx[a] * idx[a];
    dt = std::min(dt, 0.5 / (eta_ * s2));
  }
  return dt;
}

void MhdModule::post_stage(Block& b) {
  Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  Array4& e = b.field(fid_energy_);
  interior_field(b, bint_);
  const double gm1 = eos_.gamma - 1.0;
  double nr = 0.0, np = 0.0;
  const IndexBox in = b.interior();
  const int nx = d.n(0), ny = d.n(1);
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      const std::ptrdiff_t q = lin(k, j, in.lo[0], nx, ny);
      // Momentum and field are kept; E = p_floor/(gamma - 1) + kinetic + magnetic energy.
      apply_floors<true>(in.hi[0] - in.lo[0], gm1, rho_floor_, p_floor_, d.comp(0) + q,
                         m.comp(0) + q, m.comp(1) + q, m.comp(2) + q, e.comp(0) + q,
                         bint_.comp(0) + q, bint_.comp(1) + q, bint_.comp(2) + q, nr, np);
    }
  }
  floor_rho_count_ += nr;
  floor_p_count_ += np;
}

std::string MhdModule::check_state(const Block& b) const {
  // Round-off of an initial potential (e.g. sin(pi) ~ 1e-16) is no violation.
  if (wall_bn_ratio_ > 1e-10 && b.gid == wall_bn_gid_) {
    return fmt::format(
        "mhd: |B_n| up to {:.6g} ({:.3g} of the largest field next to it) on the conducting wall "
        "boundary.x{}_{}: a perfectly conducting wall (physics.mhd.wall_field = \"conducting\") "
        "needs B_n = 0 there, and the initial field threads it; start from a field tangent to "
        "the walls, or use wall_field = \"normal\" for a field that threads them",
        wall_bn_value_, wall_bn_ratio_, wall_bn_axis_ + 1, wall_bn_side_ ? "upper" : "lower");
  }
  const Array4& d = b.field(fid_rho_);
  const Array4& m = b.field(fid_mom_);
  const Array4& e = b.field(fid_energy_);
  interior_field(b, bint_);
  const double gm1 = eos_.gamma - 1.0;
  const IndexBox in = b.interior();
  for (int k = in.lo[2]; k < in.hi[2]; ++k) {
    for (int j = in.lo[1]; j < in.hi[1]; ++j) {
      for (int i = in.lo[0]; i < in.hi[0]; ++i) {
        const double r = d(0, k, j, i);
        const double mx = m(0, k, j, i), my = m(1, k, j, i), mz = m(2, k, j, i);
        const double bx = bint_(0, k, j, i), by = bint_(1, k, j, i), bz = bint_(2, k, j, i);
        const double p = gm1 * (e(0, k, j, i) - 0.5 * (mx * mx + my * my + mz * mz) / r -
                                0.5 * (bx * bx + by * by + bz * bz));
        const char* what = !(r > 0.0) ? "density" : (!(p > 0.0) ? "gas pressure" : nullptr);
        if (what) {
          return fmt::format(
              "mhd: {} = {:.6g} at cell ({}, {}, {}), position ({:.6g}, {:.6g}, {:.6g}); the "
              "floors (density_floor = {:g}, pressure_floor = {:g}) cannot fix a non-positive {}",
              what, !(r > 0.0) ? r : p, i - b.ng[0], j - b.ng[1], k - b.ng[2], b.center(0, i),
              b.center(1, j), b.center(2, k), rho_floor_, p_floor_, what);
        }
      }
    }
  }
  return "";
}

double MhdModule::magnetic_divergence(const Block& b, double& bmax) const {
  // Face-based divergence over the cells whose faces are all evolved: on a non-periodic upper
  // boundary the last cell's upper face is a boundary-condition value, not a CT update.
  const Array4& bf = b.field(fid_bface_);
  const IndexBox in = b.interior();
  double dmin = std::numeric_limits<double>::infinity();
  for (int a = 0; a < ndim_; ++a) dmin = std::min(dmin, b.dx[a]);
  double dmax = 0.0;
  for_each_cell(in, [&](int k, int j, int i) {
    double div = 0.0, bm = 0.0;
    for (int a = 0; a < 3; ++a) {
      const double lo = bf(a, k, j, i);
      bm = std::max(bm, std::abs(lo));
      if (a < ndim_) {
        const double hi = bf(a, k + (a == 2), j + (a == 1), i + (a == 0));
        div += (hi - lo) / b.dx[a];
      }
    }
    bmax = std::max(bmax, bm);
    dmax = std::max(dmax, std::abs(div) * dmin);
  });
  return dmax;
}

void MhdModule::fill_wall(Block& b, int axis, int side) const {
  // Mirror about the wall plane. Index g along `axis` of a cell-like value maps to
  // 2 w - 1 - g, of a value on the lower a-face to 2 w - g, with w the index of the wall
  // face (the first interior cell's lower face at the lower wall, the first ghost's at the
  // upper wall), so the mirror of each ghost face is an interior face.
  Array4& f = b.field(fid_bface_);
  const int a = axis, ng = b.ng[a], n = b.n[a];
  const int w = side == 0 ? ng : n + ng;
  const bool conducting = wall_ == MhdWallField::kConducting;
  const double sn = conducting ? -1.0 : 1.0;  // parity of B_n
  const double st = -sn;                      // parity of B_t
  IndexBox ghosts = b.all();
  ghosts.lo[a] = side == 0 ? 0 : n + ng;
  ghosts.hi[a] = side == 0 ? ng : n + 2 * ng;
  auto at = [](int c, const std::array<int, 3>& q, Array4& arr) -> double& {
    return arr(c, q[2], q[1], q[0]);
  };
  for (int c = 0; c < 3; ++c) {
    if (c == a) continue;
    for_each_cell(ghosts, [&](int k, int j, int i) {
      std::array<int, 3> src{i, j, k};
      src[a] = 2 * w - 1 - src[a];
      f(c, k, j, i) = st * at(c, src, f);
    });
  }
  // The wall face: zero on a conducting wall. On a "normal" wall the lower one is the first
  // cell's CT-updated face (left alone) and the upper one, a ghost the integrator does not
  // update, is the CT-evolved copy in "bface_upper_wall" at the last cell below it.
  IndexBox wall = b.all();
  wall.lo[a] = w;
  wall.hi[a] = w + 1;
  if (conducting) {
    // A field that threads the wall at the start violates the condition; the zeroing below
    // would then break div B next to the wall, so note it for check_state (after the first
    // fill the wall EMF is exactly zero and B_n stays 0).
    IndexBox layer = b.all();
    layer.lo[a] = side == 0 ? ng : n + ng - 1;
    layer.hi[a] = layer.lo[a] + 1;
    double bn = 0.0, bref = 0.0;
    for_each_cell(wall, [&](int k, int j, int i) { bn = std::max(bn, std::abs(f(a, k, j, i))); });
    for_each_cell(layer, [&](int k, int j, int i) {
      for (int c = 0; c < 3; ++c) bref = std::max(bref, std::abs(f(c, k, j, i)));
    });
    const double ratio = bn / std::max(bref, std::numeric_limits<double>::min());
    if (ratio > wall_bn_ratio_) {
      wall_bn_ratio_ = ratio;
      wall_bn_value_ = bn;
      wall_bn_gid_ = b.gid;
      wall_bn_axis_ = a;
      wall_bn_side_ = side;
    }
    for_each_cell(wall, [&](int k, int j, int i) { f(a, k, j, i) = 0.0; });
  } else if (side == 1) {
    const Array4& u = b.field(fid_upper_wall_);
    const int cu = upper_comp_[a];
    for_each_cell(wall, [&](int k, int j, int i) {
      f(a, k, j, i) = u(cu, k - (a == 2), j - (a == 1), i - (a == 0));
    });
  }
  // Ghost faces beyond the wall face.
  IndexBox faces = b.all();
  faces.lo[a] = side == 0 ? 0 : w + 1;
  faces.hi[a] = side == 0 ? w : n + 2 * ng;
  for_each_cell(faces, [&](int k, int j, int i) {
    std::array<int, 3> src{i, j, k};
    src[a] = 2 * w - src[a];
    f(a, k, j, i) = sn * at(a, src, f);
  });
}

void MhdModule::prepare_output(Mesh& mesh) {
  for (auto& bp : mesh.blocks()) {
    Block& b = *bp;
    Array4& out = b.field(fid_bcc_);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const auto c = cell_field(b, k, j, i);
      for (int a = 0; a < 3; ++a) out(a, k, j, i) = c[a];
    });
  }
}

std::vector<HistoryValue> MhdModule::history_values(Mesh& mesh, double /*t*/) {
  double divb = 0.0, bmax = 0.0, emag = 0.0;
  for (auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    divb = std::max(divb, magnetic_divergence(b, bmax));
    const Array4& c = b.field(fid_bcc_);
    double s = 0.0;
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      s += 0.5 * (c(0, k, j, i) * c(0, k, j, i) + c(1, k, j, i) * c(1, k, j, i) +
                  c(2, k, j, i) * c(2, k, j, i));
    });
    emag += s * b.cell_volume(ndim_);
  }
  // Normalise by the largest field anywhere (collective: every rank calls this hook).
  const double bglob = mesh.comm().max(bmax);
  const double ratio = bglob > 0.0 ? divb / bglob : 0.0;
  std::vector<HistoryValue> out{{"mhd_divb", ratio, HistoryReduce::kMax},
                                {"mhd_emag", emag, HistoryReduce::kSum},
                                {"mhd_floor_rho", floor_rho_count_, HistoryReduce::kSum},
                                {"mhd_floor_p", floor_p_count_, HistoryReduce::kSum},
                                {"mhd_fallback", fallback_count_, HistoryReduce::kSum}};
  append_gravity_history(mesh, "mhd", out);  // E + rho Phi: conserved in a closed box
  return out;
}

}  // namespace tessera
