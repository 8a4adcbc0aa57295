#pragma once
/// \file fv_diffusion.hpp
/// Cell-centred finite-volume Helmholtz / diffusion operators on the block mesh:
///   H u = alpha u - beta div(D grad u),
/// two-point fluxes with the face diffusivity the harmonic mean of the two cell values
/// (exact for a piecewise-constant D across the face; Patankar 1980, sec. 4.2-3), and
/// boundary conditions imposed at the boundary face. The same per-face terms feed the matrix
/// (assemble_helmholtz) and the explicit stencil (apply_helmholtz), so implicit and explicit
/// use give the same discrete operator.
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/solvers/linear_system.hpp"

namespace tessera {

/// Condition on one domain face: a u + b du/dn = g at the face, n the outward normal.
/// Dirichlet u = g: (1, 0, g); Neumann du/dn = g: (0, 1, g); Robin: any (a, b) with b >= 0,
/// a >= 0, not both 0. Periodic faces take the neighbour across the domain instead.
struct FaceCondition {
  bool periodic = false;
  double a = 0.0, b = 1.0, g = 0.0;
  /// True: the condition is a u + b D du/dn = g with D the boundary cell's diffusivity
  /// (a flux condition, e.g. Marshak's for radiation: (c/4) E + (1/2) D dE/dn = F_inc).
  bool b_times_d = false;
  static FaceCondition make_periodic() { return {true, 0.0, 1.0, 0.0}; }
  static FaceCondition dirichlet(double v) { return {false, 1.0, 0.0, v}; }
  static FaceCondition neumann(double dudn) { return {false, 0.0, 1.0, dudn}; }
  static FaceCondition robin(double a, double b, double g) { return {false, a, b, g}; }
};
/// Per axis, per side (0 lower, 1 upper).
using FaceConditions = std::array<std::array<FaceCondition, 2>, 3>;

/// The matrix conditions matching the halo conditions of `bc` for component `component`:
/// periodic -> periodic; fixed (ghost = v, which is also the upwind inflow face state) ->
/// Dirichlet u = v at the face; outflow and reflecting (ghost = mirror/copy, zero gradient) ->
/// Neumann du/dn = 0. "user" faces have no matrix meaning: ConfigError naming the face.
FaceConditions face_conditions_from(const BoundaryParams& bc, int ndim,
                                    const std::string& component);

/// How the face diffusivity is formed from the two cell values.
enum class FaceMean {
  kHarmonic,   ///< 2 a b / (a + b): exact for D piecewise constant per cell (default)
  kArithmetic  ///< (a + b) / 2: for degenerate D(u) that vanishes where u = 0 (porous medium),
               ///< where the harmonic mean would freeze a front next to a D = 0 cell
};

/// Coefficients of H u = alpha u - beta div(D grad u).
struct HelmholtzSpec {
  double alpha = 0.0;    ///< constant part of alpha [1/time or 1]
  double beta = 1.0;     ///< scale of the diffusion part
  double d_const = 1.0;  ///< D when `diffusivity` is null [length^2/time]
  /// Cell-centred D per local block (mesh.blocks() order), component 0, with one valid ghost
  /// layer at every non-physical face (exchanged or evaluated); nullptr: D = d_const.
  const std::vector<Array4>* diffusivity = nullptr;
  /// Optional face diffusivities per local block, replacing the harmonic mean of the cell
  /// values: component A at ghosted cell index p is D on the face between p and p + e_A, for
  /// every face of the interior along the used axes (the lowest face at index ng - 1). Both
  /// blocks of a shared face must hold the same value (symmetry). Also used at domain faces.
  const std::vector<Array4>* face_diffusivity = nullptr;
  /// Optional per-cell addition to alpha, per local block, component 0 (interior only).
  const std::vector<Array4>* alpha_cells = nullptr;
  FaceMean face_mean = FaceMean::kHarmonic;
  FaceConditions bc{};
};

/// Assembles the rows of H for every local cell into `ls` (begin_matrix..end_matrix is done
/// here). With `bc_rhs` (sized numbering().local_rows()), adds the boundary data so that
/// H u = A u - bc_rhs for the discrete operator H with the boundary values of spec.bc.
/// `rebuild_preconditioner` = false keeps the preconditioner built for the previous values
/// (see LinearSystem::end_matrix).
void assemble_helmholtz(const Mesh& mesh, const HelmholtzSpec& spec, LinearSystem& ls,
                        std::vector<double>* bc_rhs, bool rebuild_preconditioner = true);

/// out(oc) += scale * H u on the interior of block `b` (local index `lb`), u component uc,
/// using the ghost values of u across non-physical faces (fill them first).
void apply_helmholtz(const Block& b, int lb, const HelmholtzSpec& spec, const Array4& u, int uc,
                     double scale, Array4& out, int oc);

/// Fills per-block arrays (1 component, block dims, one ghost layer included) with f(x) at
/// cell centres computed from global cell indices, wrapped on periodic axes, so that a ghost
/// value equals the owning block's interior value bitwise (symmetric face coefficients).
void fill_cell_function(const Mesh& mesh,
                        const std::function<double(const std::array<double, 3>&)>& f,
                        std::vector<Array4>& out);

/// The same for one block: `p` the mesh parameters (with `periodic` set), `out` resized to the
/// block's dims (1 component).
void fill_block_function(const MeshParams& p, const Block& b,
                         const std::function<double(const std::array<double, 3>&)>& f, Array4& out);

}  // namespace tessera
