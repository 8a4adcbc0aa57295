// LinearSystem and the finite-volume Helmholtz operator H u = alpha u - beta div(D grad u):
//  - the assembled matrix applied to random data equals the stencil written out independently
//    on the global grid (and the block-wise explicit stencil with halo-filled ghosts), for
//    periodic, Dirichlet, Neumann and Robin faces, variable D, 2D and 3D, several blocks;
//  - the matrix is symmetric;
//  - a manufactured solution with variable D converges at second order in L2 (2D and 3D);
//  - an all-periodic Poisson problem is solved with the constant null space;
//  - preconditioner reuse and warm starts; a deliberately failing solve throws SolverError
//    naming the solve and PETSc's reason.
// Runs at 1, 2 and 4 ranks (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/bc/boundary.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/solvers/fv_diffusion.hpp"
#include "tessera/solvers/linear_system.hpp"
#include "tessera/solvers/petsc.hpp"
#include "test_env.hpp"

namespace tessera {
namespace {

using test::test_comm;

// PETSc for the whole run of this executable (test_env.hpp).
[[maybe_unused]] ::testing::Environment* const kPetscEnv =
    ::testing::AddGlobalTestEnvironment(new test::PetscEnvironment);

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
/// Deterministic "random" value in [-1, 1) for a global cell.
double random_value(std::int64_t g) {
  return static_cast<double>(splitmix(static_cast<std::uint64_t>(g)) >> 11) * 0x1.0p-52 - 1.0;
}

MeshParams mesh_params(int ndim, std::int64_t n, std::int64_t bn, std::array<bool, 3> periodic) {
  MeshParams p;
  p.ndim = ndim;
  for (int a = 0; a < 3; ++a) {
    p.cells[a] = a < ndim ? n : 1;
    p.block_cells[a] = a < ndim ? bn : 1;
    p.lower[a] = 0.0;
    p.upper[a] = 1.0;
  }
  p.ghost = 2;
  p.periodic = periodic;
  return p;
}

/// A smooth positive diffusivity, periodic with period 1 on every axis; varies by a factor 3.
double diffusivity(const std::array<double, 3>& x, int ndim) {
  double s = std::sin(2 * M_PI * x[0]);
  if (ndim > 1) s *= std::cos(2 * M_PI * x[1]);
  if (ndim > 2) s *= std::cos(2 * M_PI * x[2] + 0.3);
  return 1.0 + 0.5 * s;
}

/// The operator written out on the global grid, independently of blocks and ghosts.
double reference_stencil(const MeshParams& p, const FaceConditions& fc, double alpha, double beta,
                         const std::array<std::int64_t, 3>& g) {
  const int nd = p.ndim;
  auto lin = [&](const std::array<std::int64_t, 3>& c) {
    return (c[2] * p.cells[1] + c[1]) * p.cells[0] + c[0];
  };
  auto center = [&](const std::array<std::int64_t, 3>& c) {
    std::array<double, 3> x{0, 0, 0};
    for (int a = 0; a < nd; ++a) {
      const double h = (p.upper[a] - p.lower[a]) / static_cast<double>(p.cells[a]);
      x[a] = p.lower[a] + (static_cast<double>(c[a]) + 0.5) * h;
    }
    return x;
  };
  const double up = random_value(lin(g));
  const double dp = diffusivity(center(g), nd);
  double h = alpha * up;
  for (int a = 0; a < nd; ++a) {
    const double dx = (p.upper[a] - p.lower[a]) / static_cast<double>(p.cells[a]);
    for (int s = 0; s < 2; ++s) {
      auto q = g;
      q[a] += s ? 1 : -1;
      if (q[a] < 0 || q[a] >= p.cells[a]) {
        if (fc[a][s].periodic) {
          q[a] = (q[a] + p.cells[a]) % p.cells[a];
        } else {
          // Face value from a u_f + b (u_f - u_P) / (dx/2) = g; flux D (u_f - u_P) / (dx/2).
          const FaceCondition& f = fc[a][s];
          const double uf = (f.g + 2 * f.b / dx * up) / (f.a + 2 * f.b / dx);
          h -= beta * dp * (uf - up) / (0.5 * dx) / dx;
          continue;
        }
      }
      const double dn = diffusivity(center(q), nd);
      const double df = 2 * dp * dn / (dp + dn);
      h -= beta * df * (random_value(lin(q)) - up) / (dx * dx);
    }
  }
  return h;
}

struct OperatorCase {
  int ndim;
  std::int64_t n, bn;
  std::array<bool, 3> periodic;
  FaceConditions fc;
};

std::vector<OperatorCase> operator_cases() {
  const auto P = FaceCondition::make_periodic();
  std::vector<OperatorCase> v;
  // 2D: periodic x; Dirichlet below, Robin above.
  v.push_back(
      {2,
       32,
       8,
       {true, false, false},
       {{{P, P}, {FaceCondition::dirichlet(0.7), FaceCondition::robin(2.0, 0.5, -0.3)}, {}}}});
  // 2D: Neumann (non-zero) and Dirichlet on x, periodic y.
  v.push_back({2,
               24,
               8,
               {false, true, false},
               {{{FaceCondition::neumann(1.5), FaceCondition::dirichlet(-0.2)}, {P, P}, {}}}});
  // 3D: all three kinds plus periodic z.
  v.push_back({3,
               16,
               8,
               {false, false, true},
               {{{FaceCondition::dirichlet(1.0), FaceCondition::neumann(0.0)},
                 {FaceCondition::robin(1.0, 1.0, 0.5), FaceCondition::dirichlet(0.0)},
                 {P, P}}}});
  return v;
}

TEST(LinearSystem, NumberingIsContiguousPerRank) {
  const MeshParams p = mesh_params(2, 32, 8, {true, true, false});
  Mesh mesh(p, test_comm());
  CellNumbering num(mesh);
  EXPECT_EQ(num.global_rows(), 32 * 32);
  EXPECT_EQ(num.first_row(), mesh.first_gid(test_comm().rank()) * 64);
  // The local ranges tile [0, N) with no gap or overlap.
  const std::int64_t total = test_comm().sum(num.local_rows());
  EXPECT_EQ(total, num.global_rows());
  for (const auto& b : mesh.blocks()) {
    EXPECT_TRUE(num.local(num.row(b->gid, 0, 0, 0)));
    EXPECT_TRUE(num.local(num.row(b->gid, 7, 7, 0)));
  }
}

TEST(LinearSystem, AssembledOperatorEqualsStencilAndIsSymmetric) {
  for (const OperatorCase& oc : operator_cases()) {
    const MeshParams p = mesh_params(oc.ndim, oc.n, oc.bn, oc.periodic);
    Mesh mesh(p, test_comm());
    FieldSpec fs;
    fs.name = "u";
    fs.components = {"u"};
    fs.vector_axis = {-1};
    const int fid = mesh.fields().add(fs);
    mesh.allocate_fields();

    std::vector<Array4> dcoef;
    fill_cell_function(
        mesh, [&](const std::array<double, 3>& x) { return diffusivity(x, p.ndim); }, dcoef);
    HelmholtzSpec spec;
    spec.alpha = 0.75;
    spec.beta = 1.3;
    spec.diffusivity = &dcoef;
    spec.bc = oc.fc;

    LinearSystemOptions lo;
    lo.prefix = "optest_";
    LinearSystem ls(mesh, lo);
    std::vector<double> bc_rhs(static_cast<std::size_t>(ls.numbering().local_rows()), 0.0);
    assemble_helmholtz(mesh, spec, ls, &bc_rhs);

    const CellNumbering& num = ls.numbering();
    auto global_index = [&](const Block& b, int i, int j, int k) {
      return std::array<std::int64_t, 3>{b.loc[0] * b.n[0] + i, b.loc[1] * b.n[1] + j,
                                         b.loc[2] * b.n[2] + k};
    };
    auto lin = [&](const std::array<std::int64_t, 3>& c) {
      return (c[2] * p.cells[1] + c[1]) * p.cells[0] + c[0];
    };
    {
      VecArray x(ls.solution());
      for (const auto& bp : mesh.blocks()) {
        Block& b = *bp;
        Array4& u = b.field(fid);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          const auto g = global_index(b, i - b.ng[0], j - b.ng[1], k - b.ng[2]);
          const double v = random_value(lin(g));
          x[num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row()] = v;
          u(0, k, j, i) = v;
        });
      }
    }
    PetscVec y = ls.make_vector();
    TESSERA_PETSC(MatMult(ls.matrix(), ls.solution(), y));

    // Halo-filled ghosts for the block-wise explicit stencil (BC kinds irrelevant there: the
    // physical faces take spec.bc, only neighbour ghosts are read).
    BoundaryParams bp;
    for (int a = 0; a < 3; ++a)
      for (int s = 0; s < 2; ++s)
        bp.face[a][s].kind =
            oc.fc[a][s].periodic || a >= p.ndim ? BcKind::kPeriodic : BcKind::kOutflow;
    BoundaryExchange ex(mesh, bp);
    ex.fill({fid}, 0.0);

    double max_err = 0.0, max_err_explicit = 0.0, max_ref = 0.0;
    {
      VecArray ya(y);
      for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
        const Block& b = *mesh.blocks()[lb];
        Array4 hu(1, b.dims());
        apply_helmholtz(b, static_cast<int>(lb), spec, b.field(fid), 0, 1.0, hu, 0);
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          const auto g = global_index(b, i - b.ng[0], j - b.ng[1], k - b.ng[2]);
          const double ref = reference_stencil(p, oc.fc, spec.alpha, spec.beta, g);
          const auto lr = num.row(b.gid, i - b.ng[0], j - b.ng[1], k - b.ng[2]) - num.first_row();
          max_err = std::max(max_err, std::abs(ya[lr] - bc_rhs[lr] - ref));
          max_err_explicit = std::max(max_err_explicit, std::abs(hu(0, k, j, i) - ref));
          max_ref = std::max(max_ref, std::abs(ref));
        });
      }
    }
    max_err = test_comm().max(max_err);
    max_err_explicit = test_comm().max(max_err_explicit);
    max_ref = test_comm().max(max_ref);
    // Same arithmetic up to summation order: round-off relative to the largest entry.
    EXPECT_LE(max_err, 1e-12 * max_ref) << "ndim " << p.ndim << " n " << oc.n;
    EXPECT_LE(max_err_explicit, 1e-12 * max_ref) << "ndim " << p.ndim << " n " << oc.n;

    // Symmetric: harmonic face coefficients are the same from both sides; boundary terms are
    // diagonal. MatIsSymmetric compares A with its transpose entry by entry.
    PetscBool sym = PETSC_FALSE;
    TESSERA_PETSC(MatIsSymmetric(ls.matrix(), 1e-12, &sym));
    EXPECT_TRUE(sym) << "ndim " << p.ndim;
  }
}

/// u = prod sin(pi x_a) (zero on the boundary), D = 1 + 0.5 sin(2 pi x) (varies along x only,
/// positive), alpha = 1: f = u - D_x u_x + D d pi^2 u.
double mms_u(const std::array<double, 3>& x, int nd) {
  double u = 1.0;
  for (int a = 0; a < nd; ++a) u *= std::sin(M_PI * x[a]);
  return u;
}
double mms_d(const std::array<double, 3>& x) {
  return 1.0 + 0.5 * std::sin(2 * M_PI * x[0]);
}
double mms_f(const std::array<double, 3>& x, int nd) {
  const double u = mms_u(x, nd);
  double ux = M_PI * std::cos(M_PI * x[0]);
  for (int a = 1; a < nd; ++a) ux *= std::sin(M_PI * x[a]);
  const double dx = M_PI * std::cos(2 * M_PI * x[0]);
  return u - dx * ux + mms_d(x) * nd * M_PI * M_PI * u;
}

/// Solves the manufactured problem on n^nd cells; returns the L2 error against u at centres.
double mms_error(int nd, std::int64_t n, int* iterations) {
  // n/2 per block: 2^nd blocks, so every rank of a 4-rank run owns one.
  const MeshParams p = mesh_params(nd, n, n / 2, {false, false, false});
  Mesh mesh(p, test_comm());
  std::vector<Array4> dcoef;
  fill_cell_function(mesh, mms_d, dcoef);
  HelmholtzSpec spec;
  spec.alpha = 1.0;
  spec.diffusivity = &dcoef;
  for (int a = 0; a < nd; ++a)
    spec.bc[a] = {FaceCondition::dirichlet(0.0), FaceCondition::dirichlet(0.0)};
  LinearSystemOptions lo;
  lo.prefix = "mms_";
  lo.rtol = 1e-12;
  LinearSystem ls(mesh, lo);
  std::vector<double> bc_rhs(static_cast<std::size_t>(ls.numbering().local_rows()), 0.0);
  assemble_helmholtz(mesh, spec, ls, &bc_rhs);
  std::vector<Array4> f, uex;
  fill_cell_function(
      mesh, [&](const std::array<double, 3>& x) { return mms_f(x, nd); }, f);
  fill_cell_function(
      mesh, [&](const std::array<double, 3>& x) { return mms_u(x, nd); }, uex);
  const CellNumbering& num = ls.numbering();
  {
    VecArray b(ls.rhs());
    VecArray x(ls.solution());
    for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
      const Block& blk = *mesh.blocks()[lb];
      for_each_cell(blk.interior(), [&](int k, int j, int i) {
        const auto r =
            num.row(blk.gid, i - blk.ng[0], j - blk.ng[1], k - blk.ng[2]) - num.first_row();
        b[r] = f[lb](0, k, j, i) + bc_rhs[r];
        x[r] = 0.0;
      });
    }
  }
  const SolveReport rep = ls.solve();
  *iterations = rep.iterations;
  EXPECT_LE(rep.residual, 1e-10 * rep.rhs_norm) << "true residual of a converged solve";
  double e2 = 0.0;
  {
    VecArray x(ls.solution());
    for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
      const Block& blk = *mesh.blocks()[lb];
      for_each_cell(blk.interior(), [&](int k, int j, int i) {
        const auto r =
            num.row(blk.gid, i - blk.ng[0], j - blk.ng[1], k - blk.ng[2]) - num.first_row();
        const double e = x[r] - uex[lb](0, k, j, i);
        e2 += e * e;
      });
    }
  }
  // Sum in a fixed way: one value per rank, reduced (order differences are round-off only).
  std::vector<double> all = test_comm().gather_to_root({e2});
  double tot = 0.0;
  for (double v : all) tot += v;
  tot = test_comm().max(test_comm().root() ? tot : 0.0);
  return std::sqrt(tot / static_cast<double>(num.global_rows()));
}

TEST(LinearSystem, ManufacturedSolutionSecondOrder2D) {
  int it[3];
  const double e32 = mms_error(2, 32, &it[0]), e64 = mms_error(2, 64, &it[1]),
               e128 = mms_error(2, 128, &it[2]);
  const double o1 = std::log2(e32 / e64), o2 = std::log2(e64 / e128);
  if (test_comm().root()) {
    std::printf("    2D MMS L2: %.3e %.3e %.3e, orders %.3f %.3f, iterations %d %d %d\n", e32, e64,
                e128, o1, o2, it[0], it[1], it[2]);
  }
  // Two-point fluxes with harmonic faces and face Dirichlet: second order for smooth D.
  EXPECT_GE(o1, 1.9);
  EXPECT_GE(o2, 1.9);
  // BoomerAMG: the iteration count stays nearly flat under refinement.
  EXPECT_LE(it[2], 2 * it[0] + 2);
}

TEST(LinearSystem, ManufacturedSolutionSecondOrder3D) {
  int it[3];
  const double e16 = mms_error(3, 16, &it[0]), e32 = mms_error(3, 32, &it[1]),
               e64 = mms_error(3, 64, &it[2]);
  const double o1 = std::log2(e16 / e32), o2 = std::log2(e32 / e64);
  if (test_comm().root()) {
    std::printf("    3D MMS L2: %.3e %.3e %.3e, orders %.3f %.3f, iterations %d %d %d\n", e16, e32,
                e64, o1, o2, it[0], it[1], it[2]);
  }
  EXPECT_GE(o1, 1.9);
  EXPECT_GE(o2, 1.9);
}

TEST(LinearSystem, PeriodicPoissonWithNullSpace) {
  // -lap u = f on the periodic unit square, f = 8 pi^2 sin(2 pi x) sin(2 pi y) + 5 (a constant
  // that makes b inconsistent: the null-space projection must remove it). Exact zero-mean
  // solution u = sin(2 pi x) sin(2 pi y); discrete error ~ (2 pi h)^2 / 12 relative.
  const MeshParams p = mesh_params(2, 64, 16, {true, true, false});
  Mesh mesh(p, test_comm());
  HelmholtzSpec spec;
  spec.d_const = 1.0;
  for (int a = 0; a < 2; ++a)
    spec.bc[a] = {FaceCondition::make_periodic(), FaceCondition::make_periodic()};
  LinearSystemOptions lo;
  lo.prefix = "nullsp_";
  lo.constant_null_space = true;
  lo.rtol = 1e-12;
  LinearSystem ls(mesh, lo);
  assemble_helmholtz(mesh, spec, ls, nullptr);
  std::vector<Array4> f, ue;
  fill_cell_function(
      mesh,
      [](const std::array<double, 3>& x) {
        return 8 * M_PI * M_PI * std::sin(2 * M_PI * x[0]) * std::sin(2 * M_PI * x[1]) + 5.0;
      },
      f);
  fill_cell_function(
      mesh,
      [](const std::array<double, 3>& x) {
        return std::sin(2 * M_PI * x[0]) * std::sin(2 * M_PI * x[1]);
      },
      ue);
  const CellNumbering& num = ls.numbering();
  {
    VecArray b(ls.rhs());
    for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
      const Block& blk = *mesh.blocks()[lb];
      for_each_cell(blk.interior(), [&](int k, int j, int i) {
        b[num.row(blk.gid, i - blk.ng[0], j - blk.ng[1], 0) - num.first_row()] = f[lb](0, k, j, i);
      });
    }
  }
  TESSERA_PETSC(VecSet(ls.solution(), 3.0));  // a warm start with a constant offset
  const SolveReport rep = ls.solve();
  EXPECT_GT(rep.reason, 0);
  double emax = 0.0;
  {
    VecArray x(ls.solution());
    for (std::size_t lb = 0; lb < mesh.blocks().size(); ++lb) {
      const Block& blk = *mesh.blocks()[lb];
      for_each_cell(blk.interior(), [&](int k, int j, int i) {
        const auto r = num.row(blk.gid, i - blk.ng[0], j - blk.ng[1], 0) - num.first_row();
        emax = std::max(emax, std::abs(x[r] - ue[lb](0, k, j, i)));
      });
    }
  }
  emax = test_comm().max(emax);
  // (2 pi / 64)^2 / 12 * |u| ~ 8e-4 truncation; 2e-3 allows the factor from the 2D symbol.
  EXPECT_LE(emax, 2e-3);
}

/// Iterations of CG + BoomerAMG (Tessera's defaults) for the 2D Poisson problem -lap u = 1,
/// u = 0 on the boundary, on n^2 cells, rtol 1e-8 from a zero initial guess.
int poisson_iterations(std::int64_t n) {
  const MeshParams p = mesh_params(2, n, n / 4, {false, false, false});
  Mesh mesh(p, test_comm());
  HelmholtzSpec spec;
  for (int a = 0; a < 2; ++a)
    spec.bc[a] = {FaceCondition::dirichlet(0.0), FaceCondition::dirichlet(0.0)};
  LinearSystemOptions lo;
  lo.prefix = "amgscale_";
  lo.rtol = 1e-8;
  LinearSystem ls(mesh, lo);
  assemble_helmholtz(mesh, spec, ls, nullptr);
  TESSERA_PETSC(VecSet(ls.rhs(), 1.0));
  TESSERA_PETSC(VecSet(ls.solution(), 0.0));
  return ls.solve().iterations;
}

TEST(LinearSystem, AmgIterationsScale) {
  // Algebraic multigrid is (nearly) h-independent: from 64^2 to 512^2 (64x the unknowns) the
  // iteration count may grow by less than 1.5x (the scalability requirement).
  const int i64 = poisson_iterations(64), i512 = poisson_iterations(512);
  if (test_comm().root()) {
    std::printf("    AMG iterations 64^2: %d, 512^2: %d (ratio %.2f) on %d ranks\n", i64, i512,
                static_cast<double>(i512) / i64, test_comm().size());
  }
  EXPECT_LT(static_cast<double>(i512), 1.5 * i64);
}

TEST(LinearSystem, PreconditionerReuseWarmStartAndFailure) {
  const MeshParams p = mesh_params(2, 32, 16, {false, false, false});
  Mesh mesh(p, test_comm());
  HelmholtzSpec spec;
  spec.alpha = 0.0;
  for (int a = 0; a < 2; ++a)
    spec.bc[a] = {FaceCondition::dirichlet(1.0), FaceCondition::dirichlet(0.0)};
  LinearSystemOptions lo;
  lo.prefix = "reuse_";
  LinearSystem ls(mesh, lo);
  std::vector<double> bc(static_cast<std::size_t>(ls.numbering().local_rows()), 0.0);
  assemble_helmholtz(mesh, spec, ls, &bc);
  {
    VecArray b(ls.rhs());
    for (std::size_t r = 0; r < bc.size(); ++r) b[static_cast<std::ptrdiff_t>(r)] = bc[r] + 1.0;
  }
  const SolveReport r1 = ls.solve();
  EXPECT_TRUE(r1.preconditioner_setup);
  EXPECT_GT(r1.iterations, 1);
  EXPECT_EQ(r1.prefix, "reuse_");
  // Same matrix, same rhs, warm start at the solution: no setup, (almost) no iterations.
  const SolveReport r2 = ls.solve();
  EXPECT_FALSE(r2.preconditioner_setup);
  EXPECT_LE(r2.iterations, 1);
  EXPECT_EQ(ls.setups(), 1);
  // Re-assembly marks the preconditioner stale.
  assemble_helmholtz(mesh, spec, ls, nullptr);
  const SolveReport r3 = ls.solve();
  EXPECT_TRUE(r3.preconditioner_setup);
  EXPECT_EQ(ls.setups(), 2);

  // One iteration with rtol 1e-14 cannot converge: an error naming the solve and the reason.
  TESSERA_PETSC(PetscOptionsSetValue(nullptr, "-failing_ksp_max_it", "1"));
  LinearSystemOptions fo;
  fo.prefix = "failing_";
  fo.rtol = 1e-14;
  LinearSystem fs(mesh, fo);
  assemble_helmholtz(mesh, spec, fs, nullptr);
  TESSERA_PETSC(VecSet(fs.rhs(), 1.0));
  try {
    fs.solve();
    ADD_FAILURE() << "a one-iteration solve at rtol 1e-14 converged";
  } catch (const SolverError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'failing_'"), std::string::npos) << what;
    EXPECT_NE(what.find("DIVERGED_ITS"), std::string::npos) << what;
    EXPECT_TRUE(e.collective());
  }
  TESSERA_PETSC(PetscOptionsClearValue(nullptr, "-failing_ksp_max_it"));
}

TEST(LinearSystem, NewValuesKeepingThePreconditionerStillSolveTheNewMatrix) {
  // The nonlinear (Picard) path re-assembles with rebuild_preconditioner = false: the Krylov
  // method must converge on the *new* matrix with the old preconditioner.
  const MeshParams p = mesh_params(2, 32, 16, {false, false, false});
  Mesh mesh(p, test_comm());
  HelmholtzSpec spec;
  spec.alpha = 1.0;
  spec.beta = 1e-3;
  for (int a = 0; a < 2; ++a)
    spec.bc[a] = {FaceCondition::dirichlet(0.0), FaceCondition::dirichlet(0.0)};
  LinearSystemOptions lo;
  lo.prefix = "keep_";
  LinearSystem ls(mesh, lo);
  assemble_helmholtz(mesh, spec, ls, nullptr);
  TESSERA_PETSC(VecSet(ls.rhs(), 1.0));
  EXPECT_TRUE(ls.solve().preconditioner_setup);
  spec.d_const = 1.5;  // 50% larger coefficients
  assemble_helmholtz(mesh, spec, ls, nullptr, /*rebuild_preconditioner=*/false);
  const SolveReport r = ls.solve();
  EXPECT_FALSE(r.preconditioner_setup);
  EXPECT_EQ(ls.setups(), 1);
  // The report's true residual is ||b - A_new x||: converged to rtol (1e-10) on the new matrix.
  EXPECT_LE(r.residual, 1e-10 * r.rhs_norm * 1.0001) << "residual on the new matrix";
  assemble_helmholtz(mesh, spec, ls, nullptr);  // default: rebuild
  EXPECT_TRUE(ls.solve().preconditioner_setup);
  EXPECT_EQ(ls.setups(), 2);
}

TEST(LinearSystem, ArithmeticFaceMeanForDegenerateDiffusivity) {
  // D alternates 0 and 2 between cells: the harmonic face mean is 0 (no flux across any face,
  // a frozen porous-medium front), the arithmetic mean is 1. Check the assembled row of an
  // interior cell: -D_f/dx^2 off the diagonal, sum on it.
  const MeshParams p = mesh_params(1, 16, 4, {false, false, false});
  Mesh mesh(p, test_comm());
  std::vector<Array4> dcells;
  fill_cell_function(
      mesh,
      [](const std::array<double, 3>& x) {
        return static_cast<int>(std::floor(x[0] * 16.0)) % 2 == 0 ? 0.0 : 2.0;
      },
      dcells);
  for (FaceMean fm : {FaceMean::kHarmonic, FaceMean::kArithmetic}) {
    HelmholtzSpec spec;
    spec.diffusivity = &dcells;
    spec.face_mean = fm;
    spec.bc[0] = {FaceCondition::neumann(0.0), FaceCondition::neumann(0.0)};
    LinearSystemOptions lo;
    lo.prefix = "facemean_";
    LinearSystem ls(mesh, lo);
    assemble_helmholtz(mesh, spec, ls, nullptr);
    // Global cell 4 (D = 0) is the first cell of the block at loc 1 (blocks of 4 cells).
    for (const auto& bp : mesh.blocks()) {
      const Block& b = *bp;
      if (b.loc[0] != 1) continue;
      const auto left = b.neighbor[Block::dir_index(-1, 0, 0)];
      const PetscInt row = static_cast<PetscInt>(ls.numbering().row(b.gid, 0, 0, 0));
      PetscInt cols[3] = {static_cast<PetscInt>(ls.numbering().row(left, 3, 0, 0)), row,
                          static_cast<PetscInt>(ls.numbering().row(b.gid, 1, 0, 0))};
      const double dx2 = 1.0 / (16.0 * 16.0);
      const double want = fm == FaceMean::kArithmetic ? 1.0 / dx2 : 0.0;  // (0 + 2) / 2
      double v[3];
      TESSERA_PETSC(MatGetValues(ls.matrix(), 1, &row, 3, cols, v));
      EXPECT_NEAR(v[0], -want, 1e-9 * (1.0 + want));
      EXPECT_NEAR(v[2], -want, 1e-9 * (1.0 + want));
      EXPECT_NEAR(v[1], 2.0 * want, 1e-9 * (1.0 + want));
    }
  }
}

}  // namespace
}  // namespace tessera
