#include "tessera/solvers/fv_diffusion.hpp"

#include <fmt/format.h>

#include <cmath>

namespace tessera {

FaceConditions face_conditions_from(const BoundaryParams& bc, int ndim,
                                    const std::string& component) {
  FaceConditions fc{};
  for (int a = 0; a < ndim; ++a) {
    for (int s = 0; s < 2; ++s) {
      const FaceBc& f = bc.face[a][s];
      switch (f.kind) {
        case BcKind::kPeriodic:
          fc[a][s] = FaceCondition::make_periodic();
          break;
        case BcKind::kFixed: {
          auto it = f.values.find(component);
          const double v = it != f.values.end() ? it->second : f.value;
          fc[a][s] = FaceCondition::dirichlet(v);
          break;
        }
        case BcKind::kOutflow:
        case BcKind::kReflecting:
          fc[a][s] = FaceCondition::neumann(0.0);
          break;
        default:
          throw ConfigError(fmt::format(
              "boundary.x{}_{} is \"user\": implicit diffusion needs a boundary condition it "
              "can put in the matrix (periodic, fixed, outflow or reflecting)",
              a + 1, s ? "upper" : "lower"));
      }
    }
  }
  return fc;
}

namespace {

/// Harmonic mean of the two cell diffusivities: the face value that makes the two-point flux
/// exact for D piecewise constant on each side (Patankar 1980, eq. 4.9).
inline double harmonic(double a, double b) {
  const double s = a + b;
  return s > 0.0 ? 2.0 * a * b / s : 0.0;
}

/// Visits the two faces of cell (i, j, k) (ghosted indices) along `Axis`, calling
///   neighbour(side, w, nb_offset, gid_across) for a face shared with a cell (matrix entries
///     +w on the diagonal and -w for the neighbour; gid_across = -1 when inside the block),
///   boundary(side, diag, rhs) for a physical face (H gets +diag on the diagonal, and the
///     boundary data contribute rhs, so that H u = A u - rhs).
/// One kernel for every axis (DESIGN.md convention 2).
template <int Axis, typename Nb, typename Bd>
inline void visit_axis(const Block& b, int lb, const HelmholtzSpec& spec, int k, int j, int i,
                       Nb&& neighbour, Bd&& boundary) {
  const std::array<int, 3> c{i, j, k};
  const double inv_dx2 = 1.0 / (b.dx[Axis] * b.dx[Axis]);
  const Array4* D = spec.diffusivity ? &(*spec.diffusivity)[lb] : nullptr;
  const double dp = D ? (*D)(0, k, j, i) : spec.d_const;
  const Array4* fd = spec.face_diffusivity ? &(*spec.face_diffusivity)[lb] : nullptr;
  for (int s = 0; s < 2; ++s) {
    const int o = s ? 1 : -1;
    double dface = dp;  // the face value when given, else the cell's own (boundary faces)
    if (fd) {
      std::array<int, 3> lo = c;
      if (!s) lo[Axis] -= 1;
      dface = (*fd)(Axis, lo[2], lo[1], lo[0]);
    }
    const bool at_block_face = s ? c[Axis] == b.ng[Axis] + b.n[Axis] - 1 : c[Axis] == b.ng[Axis];
    std::int64_t across = -1;
    if (at_block_face) {
      std::array<int, 3> off{0, 0, 0};
      off[Axis] = o;
      across = b.neighbor[Block::dir_index(off[0], off[1], off[2])];
      if (across < 0) {
        const FaceCondition& f = spec.bc[Axis][s];
        // a u_f + b (u_f - u_P)/(dx/2) = g with the flux D (u_f - u_P)/(dx/2) per face area
        // (the face value eliminated): H gets w a/den on the diagonal, w g/den on the rhs.
        const double w = spec.beta * 2.0 * dface * inv_dx2;
        const double den = f.a + 2.0 * f.b * (f.b_times_d ? dface : 1.0) / b.dx[Axis];
        boundary(s, w * f.a / den, w * f.g / den);
        continue;
      }
    }
    std::array<int, 3> q = c;
    q[Axis] += o;
    const double dn = D ? (*D)(0, q[2], q[1], q[0]) : spec.d_const;
    // A face value given by the caller wins; else the cells' harmonic or arithmetic mean.
    const double df = fd                                      ? dface
                      : spec.face_mean == FaceMean::kHarmonic ? harmonic(dp, dn)
                                                              : 0.5 * (dp + dn);
    neighbour(s, spec.beta * df * inv_dx2, q, across);
  }
}

template <typename F>
inline void for_each_axis(int ndim, F&& f) {
  f(std::integral_constant<int, 0>{});
  if (ndim > 1) f(std::integral_constant<int, 1>{});
  if (ndim > 2) f(std::integral_constant<int, 2>{});
}

double alpha_at(const HelmholtzSpec& spec, int lb, int k, int j, int i) {
  return spec.alpha + (spec.alpha_cells ? (*spec.alpha_cells)[lb](0, k, j, i) : 0.0);
}

}  // namespace

void assemble_helmholtz(const Mesh& mesh, const HelmholtzSpec& spec, LinearSystem& ls,
                        std::vector<double>* bc_rhs, bool rebuild_preconditioner) {
  const CellNumbering& num = ls.numbering();
  const int ndim = mesh.ndim();
  ls.begin_matrix();
  std::array<PetscInt, 7> cols{};
  std::array<double, 7> vals{};
  const auto& blocks = mesh.blocks();
  for (std::size_t lbs = 0; lbs < blocks.size(); ++lbs) {
    const Block& b = *blocks[lbs];
    const int lb = static_cast<int>(lbs);
    for_each_cell(b.interior(), [&](int k, int j, int i) {
      const std::int64_t row = num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]);
      int n = 1;
      double diag = alpha_at(spec, lb, k, j, i);
      double rhs = 0.0;
      for_each_axis(ndim, [&](auto ax) {
        constexpr int A = decltype(ax)::value;
        visit_axis<A>(
            b, lb, spec, k, j, i,
            [&](int s, double w, const std::array<int, 3>& q, std::int64_t across) {
              diag += w;
              std::int64_t col;
              if (across < 0) {
                col = num.row(b.gid, q[0] - b.ng[0], q[1] - b.ng[1], q[2] - b.ng[2]);
              } else {
                std::array<int, 3> qi{q[0] - b.ng[0], q[1] - b.ng[1], q[2] - b.ng[2]};
                qi[A] = s ? 0 : b.n[A] - 1;
                col = num.row(across, qi[0], qi[1], qi[2]);
              }
              cols[n] = static_cast<PetscInt>(col);
              vals[n] = -w;
              ++n;
            },
            [&](int, double d, double r) {
              diag += d;
              rhs += r;
            });
      });
      cols[0] = static_cast<PetscInt>(row);
      vals[0] = diag;
      ls.add_row(row, n, cols.data(), vals.data());
      if (bc_rhs) (*bc_rhs)[static_cast<std::size_t>(row - num.first_row())] += rhs;
    });
  }
  ls.end_matrix(rebuild_preconditioner);
}

void apply_helmholtz(const Block& b, int lb, const HelmholtzSpec& spec, const Array4& u, int uc,
                     double scale, Array4& out, int oc) {
  const int ndim = b.ng[2] > 0 ? 3 : (b.ng[1] > 0 ? 2 : 1);  // ghosts only on used axes
  for_each_cell(b.interior(), [&](int k, int j, int i) {
    const double up = u(uc, k, j, i);
    double h = alpha_at(spec, lb, k, j, i) * up;
    for_each_axis(ndim, [&](auto ax) {
      constexpr int A = decltype(ax)::value;
      visit_axis<A>(
          b, lb, spec, k, j, i,
          [&](int, double w, const std::array<int, 3>& q, std::int64_t) {
            h += w * (up - u(uc, q[2], q[1], q[0]));
          },
          [&](int, double d, double r) { h += d * up - r; });
    });
    out(oc, k, j, i) += scale * h;
  });
}

void fill_block_function(const MeshParams& p, const Block& b,
                         const std::function<double(const std::array<double, 3>&)>& f,
                         Array4& out) {
  const int ndim = p.ndim;
  out.resize(1, b.dims());
  IndexBox box = b.interior();
  for (int a = 0; a < ndim; ++a) {
    box.lo[a] -= 1;
    box.hi[a] += 1;
  }
  for_each_cell(box, [&](int k, int j, int i) {
    const std::array<int, 3> idx{i, j, k};
    std::array<double, 3> x{0.0, 0.0, 0.0};
    for (int a = 0; a < ndim; ++a) {
      std::int64_t g = b.loc[a] * b.n[a] + (idx[a] - b.ng[a]);
      if (p.periodic[a]) g = ((g % p.cells[a]) + p.cells[a]) % p.cells[a];
      const double h = (p.upper[a] - p.lower[a]) / static_cast<double>(p.cells[a]);
      x[a] = p.lower[a] + (static_cast<double>(g) + 0.5) * h;
    }
    out(0, k, j, i) = f(x);
  });
}

void fill_cell_function(const Mesh& mesh,
                        const std::function<double(const std::array<double, 3>&)>& f,
                        std::vector<Array4>& out) {
  out.resize(mesh.blocks().size());
  for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
    fill_block_function(mesh.params(), *mesh.blocks()[lb], f, out[lb]);
  }
}

}  // namespace tessera
