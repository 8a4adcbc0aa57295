#pragma once
/// \file linear_system.hpp
/// One cell-centred linear system A x = b on the block mesh, solved by PETSc: global cell
/// numbering across blocks and ranks, preallocated MPIAIJ storage for finite-volume star
/// stencils, a KSP with an options prefix per use, warm starts, preconditioner reuse while
/// the matrix is unchanged, optional constant null space, and an honest solve report.
#include <cstdint>
#include <string>

#include "tessera/mesh/mesh.hpp"
#include "tessera/solvers/petsc.hpp"

namespace tessera {

/// Global numbering of interior cells: block gid g owns rows [g*cpb, (g+1)*cpb) with cpb the
/// cells per block and x fastest inside a block. Blocks are owned in contiguous gid ranges
/// along the space-filling curve, so each rank owns one contiguous range of rows.
class CellNumbering {
 public:
  explicit CellNumbering(const Mesh& mesh);
  std::int64_t cells_per_block() const noexcept { return cpb_; }
  std::int64_t global_rows() const noexcept { return global_; }
  std::int64_t first_row() const noexcept { return first_; }  ///< first row on this rank
  std::int64_t local_rows() const noexcept { return local_; }
  /// Global row of interior cell (i, j, k) (0-based, without ghosts) of block `gid`.
  std::int64_t row(std::int64_t gid, int i, int j, int k) const noexcept {
    return gid * cpb_ + (static_cast<std::int64_t>(k) * n_[1] + j) * n_[0] + i;
  }
  /// True when `row` is owned by this rank.
  bool local(std::int64_t row) const noexcept { return row >= first_ && row < first_ + local_; }
  const std::array<int, 3>& block_cells() const noexcept { return n_; }

 private:
  std::array<int, 3> n_{1, 1, 1};
  std::int64_t cpb_ = 1, global_ = 0, first_ = 0, local_ = 0;
};

/// What one solve did. `reason` < 0 never reaches a caller: solve() throws instead.
struct SolveReport {
  std::string prefix;                 ///< options prefix naming the solve, e.g. "diffusion_"
  int iterations = 0;                 ///< Krylov iterations
  double residual = 0.0;              ///< true residual ||b - A x||_2 (recomputed, not the KSP's)
  double rhs_norm = 0.0;              ///< ||b||_2
  int reason = 0;                     ///< KSPConvergedReason
  std::string reason_name;            ///< e.g. "CONVERGED_RTOL"
  bool preconditioner_setup = false;  ///< the preconditioner was (re)built for this solve
};

/// Construction parameters of a LinearSystem.
struct LinearSystemOptions {
  std::string prefix = "diffusion_";  ///< PETSc options prefix, ends with '_'
  bool spd = true;                    ///< symmetric positive (semi-)definite: CG, else GMRES
  double rtol = 1e-10;                ///< relative tolerance (overridable by -<prefix>ksp_rtol)
  double atol = 1e-50;                ///< absolute tolerance
  int max_it = 1000;                  ///< iteration limit (non-convergence is an error)
  bool constant_null_space = false;   ///< all-periodic / all-Neumann pure diffusion
  int stencil_width = 1;              ///< star stencil reach per axis (preallocation)
};

/// A - x = b over the interior cells of `mesh`. Defaults: CG (spd) or GMRES, with hypre
/// BoomerAMG tuned as HMIS coarsening, ext+i interpolation, strong threshold 0.5 and one
/// aggressive-coarsening level (the ex45 settings the issue benchmarks against); every default
/// is set only when the user's PETSc options do not already name it, so -<prefix>ksp_type,
/// -<prefix>pc_type, -<prefix>pc_hypre_boomeramg_* and friends always win.
class LinearSystem {
 public:
  LinearSystem(const Mesh& mesh, LinearSystemOptions opts);
  ~LinearSystem();
  LinearSystem(const LinearSystem&) = delete;
  LinearSystem& operator=(const LinearSystem&) = delete;

  const CellNumbering& numbering() const noexcept { return num_; }
  const LinearSystemOptions& options() const noexcept { return opts_; }

  /// Starts (re)assembly: zeroes the matrix, keeping its preallocated pattern.
  void begin_matrix();
  /// Adds `n` values to row `row` (owned by this rank) at global columns `cols`.
  void add_row(std::int64_t row, int n, const PetscInt* cols, const double* vals);
  /// Finishes assembly. With `rebuild_preconditioner` (default) the preconditioner is rebuilt
  /// at the next solve; with false the Krylov method uses the new matrix but keeps the
  /// preconditioner built from earlier values (worth it when the values changed little, e.g.
  /// between Picard iterates; the Krylov method still converges on the new matrix).
  void end_matrix(bool rebuild_preconditioner = true);

  /// The matrix (valid after end_matrix), right-hand side, and solution/initial guess.
  Mat matrix() const noexcept { return a_.get(); }
  Vec rhs() const noexcept { return b_.get(); }
  Vec solution() const noexcept { return x_.get(); }
  /// A new vector with the row layout (for operator products).
  PetscVec make_vector() const;

  /// Solves A x = b starting from the current contents of solution() (the warm start).
  /// Throws SolverError (collective) naming the prefix and PETSc's reason when the solve
  /// diverges or does not converge.
  SolveReport solve();
  /// Builds the preconditioner if the matrix changed since the last build (solve() calls it;
  /// call it directly to time setup apart from the solve). Returns true when it built one.
  bool setup();
  /// Number of times the preconditioner was built.
  int setups() const noexcept { return setups_; }

 private:
  const Mesh& mesh_;
  LinearSystemOptions opts_;
  CellNumbering num_;
  PetscMat a_;
  PetscVec b_, x_, r_;
  PetscKsp ksp_;
  PetscNullSpace null_;
  bool changed_ = true;  // matrix changed since the last preconditioner setup
  bool operators_set_ = false;
  bool assembled_ = false;
  int setups_ = 0;
};

}  // namespace tessera
