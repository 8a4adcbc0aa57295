#include "tessera/solvers/linear_system.hpp"

#include <fmt/format.h>

#include <vector>

namespace tessera {

CellNumbering::CellNumbering(const Mesh& mesh) {
  for (int a = 0; a < 3; ++a) n_[a] = static_cast<int>(mesh.params().block_cells[a]);
  for (int a = mesh.ndim(); a < 3; ++a) n_[a] = 1;
  cpb_ = static_cast<std::int64_t>(n_[0]) * n_[1] * n_[2];
  global_ = cpb_ * mesh.nblocks_total();
  const int r = mesh.comm().rank();
  first_ = cpb_ * mesh.first_gid(r);
  local_ = cpb_ * (mesh.first_gid(r + 1) - mesh.first_gid(r));
}

namespace {

/// Sets `name` (with prefix) to `value` unless the user's options already name it.
void default_option(const std::string& prefix, const char* name, const char* value) {
  const std::string full = "-" + prefix + name;
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC(PetscOptionsHasName(nullptr, nullptr, full.c_str(), &set));
  if (!set) TESSERA_PETSC(PetscOptionsSetValue(nullptr, full.c_str(), value));
}

}  // namespace

LinearSystem::LinearSystem(const Mesh& mesh, LinearSystemOptions opts)
    : mesh_(mesh), opts_(std::move(opts)), num_(mesh) {
  const MPI_Comm comm = mesh.comm().get();
  const auto nloc = static_cast<PetscInt>(num_.local_rows());
  const auto nglob = static_cast<PetscInt>(num_.global_rows());

  // Exact preallocation of the star stencil: per row, the columns inside this rank's range
  // (diagonal block) and outside it (off-diagonal block).
  std::vector<PetscInt> d_nnz(static_cast<std::size_t>(nloc), 1),
      o_nnz(static_cast<std::size_t>(nloc), 0);
  const int ndim = mesh.ndim();
  const auto& n = num_.block_cells();
  for (const auto& bp : mesh.blocks()) {
    const Block& b = *bp;
    for (int k = 0; k < n[2]; ++k)
      for (int j = 0; j < n[1]; ++j)
        for (int i = 0; i < n[0]; ++i) {
          const auto lr = static_cast<std::size_t>(num_.row(b.gid, i, j, k) - num_.first_row());
          const std::array<int, 3> c{i, j, k};
          for (int a = 0; a < ndim; ++a) {
            for (int s = 0; s < 2; ++s) {
              for (int w = 1; w <= opts_.stencil_width; ++w) {
                const int ci = c[a] + (s ? w : -w);
                if (ci >= 0 && ci < n[a]) {
                  ++d_nnz[lr];
                  continue;
                }
                std::array<int, 3> o{0, 0, 0};
                o[a] = s ? 1 : -1;
                const std::int64_t g = b.neighbor[Block::dir_index(o[0], o[1], o[2])];
                if (g < 0) continue;
                if (mesh.owner(g) == mesh.comm().rank())
                  ++d_nnz[lr];
                else
                  ++o_nnz[lr];
              }
            }
          }
        }
  }
  for (PetscInt r = 0; r < nloc; ++r) {
    d_nnz[r] = std::min(d_nnz[r], nloc);
    o_nnz[r] = std::min(o_nnz[r], nglob - nloc);
  }
  TESSERA_PETSC(MatCreate(comm, a_.out()));
  TESSERA_PETSC(MatSetSizes(a_, nloc, nloc, nglob, nglob));
  TESSERA_PETSC(MatSetType(a_, MATAIJ));
  TESSERA_PETSC(MatSetOptionsPrefix(a_, opts_.prefix.c_str()));
  TESSERA_PETSC(MatSeqAIJSetPreallocation(a_, 0, d_nnz.data()));
  TESSERA_PETSC(MatMPIAIJSetPreallocation(a_, 0, d_nnz.data(), 0, o_nnz.data()));
  // Every rank sets only its own rows, and the pattern must stay what was preallocated.
  TESSERA_PETSC(MatSetOption(a_, MAT_NO_OFF_PROC_ENTRIES, PETSC_TRUE));
  TESSERA_PETSC(MatSetOption(a_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  if (opts_.spd) TESSERA_PETSC(MatSetOption(a_, MAT_SYMMETRIC, PETSC_TRUE));
  if (opts_.spd) TESSERA_PETSC(MatSetOption(a_, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));

  TESSERA_PETSC(MatCreateVecs(a_, x_.out(), b_.out()));
  TESSERA_PETSC(VecDuplicate(b_, r_.out()));
  TESSERA_PETSC(VecSet(x_, 0.0));
  TESSERA_PETSC(VecSet(b_, 0.0));

  if (opts_.constant_null_space) {
    TESSERA_PETSC(MatNullSpaceCreate(comm, PETSC_TRUE, 0, nullptr, null_.out()));
    TESSERA_PETSC(MatSetNullSpace(a_, null_));
  }

  // Tuned BoomerAMG defaults for the cell-centred diffusion stencils (Yang 2006 on HMIS and
  // ext+i; threshold 0.5 is hypre's advice for 3D; one aggressive level cuts the operator
  // complexity): the ex45 settings of the benchmark. Only where the user set nothing.
  const std::string& p = opts_.prefix;
  default_option(p, "pc_hypre_boomeramg_coarsen_type", "HMIS");
  default_option(p, "pc_hypre_boomeramg_interp_type", "ext+i");
  default_option(p, "pc_hypre_boomeramg_strong_threshold", "0.5");
  default_option(p, "pc_hypre_boomeramg_agg_nl", "1");

  TESSERA_PETSC(KSPCreate(comm, ksp_.out()));
  TESSERA_PETSC(KSPSetOptionsPrefix(ksp_, p.c_str()));
  TESSERA_PETSC(KSPSetType(ksp_, opts_.spd ? KSPCG : KSPGMRES));
  PC pc = nullptr;
  TESSERA_PETSC(KSPGetPC(ksp_, &pc));
  TESSERA_PETSC(PCSetType(pc, PCHYPRE));
  TESSERA_PETSC(PCHYPRESetType(pc, "boomeramg"));
  TESSERA_PETSC(KSPSetTolerances(ksp_, opts_.rtol, opts_.atol, PETSC_DEFAULT, opts_.max_it));
  TESSERA_PETSC(KSPSetInitialGuessNonzero(ksp_, PETSC_TRUE));
  // Converge on the true (unpreconditioned) residual, so that rtol means ||b - A x|| <=
  // rtol ||b||: CG can monitor it directly; GMRES does with right preconditioning.
  if (opts_.spd)
    TESSERA_PETSC(KSPSetNormType(ksp_, KSP_NORM_UNPRECONDITIONED));
  else
    TESSERA_PETSC(KSPSetPCSide(ksp_, PC_RIGHT));
  TESSERA_PETSC(KSPSetFromOptions(ksp_));
}

LinearSystem::~LinearSystem() = default;

PetscVec LinearSystem::make_vector() const {
  PetscVec v;
  TESSERA_PETSC(VecDuplicate(b_, v.out()));
  return v;
}

void LinearSystem::begin_matrix() {
  if (assembled_) TESSERA_PETSC(MatZeroEntries(a_));
}

void LinearSystem::add_row(std::int64_t row, int n, const PetscInt* cols, const double* vals) {
  const auto r = static_cast<PetscInt>(row);
  TESSERA_PETSC(MatSetValues(a_, 1, &r, n, cols, vals, ADD_VALUES));
}

void LinearSystem::end_matrix(bool rebuild_preconditioner) {
  TESSERA_PETSC(MatAssemblyBegin(a_, MAT_FINAL_ASSEMBLY));
  TESSERA_PETSC(MatAssemblyEnd(a_, MAT_FINAL_ASSEMBLY));
  // The first assembly always needs a preconditioner build.
  if (rebuild_preconditioner || !assembled_ || setups_ == 0) changed_ = true;
  assembled_ = true;
}

bool LinearSystem::setup() {
  if (!operators_set_) {
    TESSERA_PETSC(KSPSetOperators(ksp_, a_, a_));
    operators_set_ = true;
  }
  if (!changed_) return false;
  // Rebuild the preconditioner only when the matrix changed; otherwise KSPSolve reuses it.
  TESSERA_PETSC(KSPSetReusePreconditioner(ksp_, PETSC_FALSE));
  TESSERA_PETSC(KSPSetUp(ksp_));
  TESSERA_PETSC(KSPSetReusePreconditioner(ksp_, PETSC_TRUE));
  ++setups_;
  changed_ = false;
  return true;
}

SolveReport LinearSystem::solve() {
  SolveReport rep;
  rep.prefix = opts_.prefix;
  rep.preconditioner_setup = setup();
  if (null_.get()) {
    // A singular (pure Neumann / periodic) operator: make b consistent (orthogonal to the
    // constants, the null space of A^T = A) so the Krylov method converges.
    TESSERA_PETSC(MatNullSpaceRemove(null_, b_));
  }
  TESSERA_PETSC(KSPSolve(ksp_, b_, x_));
  KSPConvergedReason reason;
  PetscInt its = 0;
  TESSERA_PETSC(KSPGetConvergedReason(ksp_, &reason));
  TESSERA_PETSC(KSPGetIterationNumber(ksp_, &its));
  if (null_.get()) TESSERA_PETSC(MatNullSpaceRemove(null_, x_));  // zero-mean solution
  rep.iterations = static_cast<int>(its);
  rep.reason = static_cast<int>(reason);
  rep.reason_name = KSPConvergedReasons[reason];
  // The true residual, not the (preconditioned) norm the KSP monitored.
  TESSERA_PETSC(MatMult(a_, x_, r_));
  TESSERA_PETSC(VecAYPX(r_, -1.0, b_));
  PetscReal rn = 0, bn = 0;
  TESSERA_PETSC(VecNorm(r_, NORM_2, &rn));
  TESSERA_PETSC(VecNorm(b_, NORM_2, &bn));
  rep.residual = rn;
  rep.rhs_norm = bn;
  if (reason < 0) {
    KSPType kt;
    PC pc;
    PCType pt;
    TESSERA_PETSC(KSPGetType(ksp_, &kt));
    TESSERA_PETSC(KSPGetPC(ksp_, &pc));
    TESSERA_PETSC(PCGetType(pc, &pt));
    PetscReal rtol, atol, dtol;
    PetscInt maxit;
    TESSERA_PETSC(KSPGetTolerances(ksp_, &rtol, &atol, &dtol, &maxit));
    throw SolverError(
        fmt::format("linear solve '{}' ({} + {}) failed: PETSc reason {} after {} iterations "
                    "(true residual {:.3e}, |b| {:.3e}, rtol {:.1e}, max_it {}). Check the "
                    "operator and boundary conditions, or tune it with -{}ksp_* / -{}pc_* "
                    "options ([petsc] deck section or PETSC_OPTIONS)",
                    opts_.prefix, kt, pt, rep.reason_name, rep.iterations, rn, bn, rtol, maxit,
                    opts_.prefix, opts_.prefix),
        true);
  }
  return rep;
}

}  // namespace tessera
